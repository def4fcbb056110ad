"""The demo newsroom's campaigns: one in English, one in Russian, each with variants on every surface."""

import datetime as dt
from decimal import Decimal

from support.models import AskVariant, Campaign

CAMPAIGNS = {
    "en": {
        "name": "Reader revenue 2026",
        "currency": "EUR",
        "monthly_cost": Decimal("48000"),
        "banned_in": "Kestrava",
        "variants": [
            (
                "panel",
                "panel-gap",
                True,
                1,
                "",
                "We have disabled all ads since {ad_free_since}. This commitment costs us {monthly_cost} a month. Your support can help us fill the gap.",
                "Support us",
                "",
                "",
            ),
            (
                "panel",
                "panel-readers",
                False,
                1,
                "Paid for by readers, free for everyone",
                "Since {ad_free_since} this site has carried no ads. {supporters} readers cover part of our {monthly_cost} a month; {gap} is still missing.",
                "Join them",
                "",
                "",
            ),
            (
                "notice",
                "notice-banned",
                True,
                1,
                "",
                "Our journalism is banned in {country}. We need your help to keep reporting — and to keep it reachable for readers there.",
                "",
                "",
                "",
            ),
            (
                "appeal",
                "appeal-favour",
                True,
                1,
                "Before you go: a small favour to ask",
                "Millions of people read our journalism without paying, and we want to keep it that way — especially for readers in {country}, where it is blocked.\n\nIf you can, support us monthly starting from just {min_monthly}. It's quick to set up.",
                "Support us monthly",
                "Not ready to support today?",
                "You've read {articles_read} articles this month.",
            ),
            (
                "appeal",
                "appeal-gap",
                False,
                1,
                "{gap} short this month",
                "No ads, no paywall, no owner to answer to: only readers. This month we still need {gap} to cover {monthly_cost}. Monthly support from {min_monthly} helps most.",
                "Give monthly",
                "Not today?",
                "You've read {articles_read} articles this month.",
            ),
            (
                "banner",
                "banner-drive",
                True,
                1,
                "Independent journalism without ads.",
                "Help us cover {monthly_cost} a month.",
                "Support us",
                "",
                "",
            ),
        ],
    },
    "ru": {
        "name": "Поддержка читателей 2026",
        "currency": "EUR",
        "monthly_cost": Decimal("48000"),
        "banned_in": "Кестраве",
        "variants": [
            (
                "panel",
                "ru-panel-gap",
                True,
                1,
                "",
                "С {ad_free_since} у нас нет рекламы. Это решение стоит нам {monthly_cost} в месяц. Ваша поддержка поможет закрыть разрыв.",
                "Поддержать",
                "",
                "",
            ),
            (
                "notice",
                "ru-notice-banned",
                True,
                1,
                "",
                "Наша журналистика запрещена в {country}. Нам нужна ваша помощь, чтобы продолжать работу.",
                "",
                "",
                "",
            ),
            (
                "appeal",
                "ru-appeal-favour",
                True,
                1,
                "У нас небольшая просьба",
                "Наши материалы читают бесплатно, и мы хотим, чтобы так было и дальше — особенно для читателей, у которых сайт заблокирован.\n\nПоддержите нас ежемесячно — от {min_monthly}. Это быстро.",
                "Поддерживать ежемесячно",
                "Не готовы сегодня?",
                "В этом месяце вы прочитали статей: {articles_read}.",
            ),
        ],
    },
}


def load_campaigns():
    """Create the demo campaigns once; running again changes nothing."""
    for language, spec in CAMPAIGNS.items():
        campaign, created = Campaign.objects.get_or_create(
            name=spec["name"],
            defaults={
                "language": language,
                "is_active": not Campaign.objects.filter(language=language, is_active=True).exists(),
                "currency": spec["currency"],
                "monthly_cost": spec["monthly_cost"],
                "ad_free_since": dt.date(2024, 3, 1),
                "banned_in": spec["banned_in"],
                "min_monthly": Decimal(2),
                "min_one_time": Decimal(5),
                "monthly_amounts": "5, 10, 20",
                "one_time_amounts": "10, 25, 50",
            },
        )
        if not created:
            continue
        for surface, key, is_default, weight, heading, body, button, secondary, reads in spec["variants"]:
            AskVariant.objects.create(
                campaign=campaign,
                surface=surface,
                key=key,
                is_default=is_default,
                weight=weight,
                heading=heading,
                body=body,
                button_label=button,
                secondary_text=secondary,
                reads_line=reads,
            )
