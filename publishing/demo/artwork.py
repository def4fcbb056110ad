"""Deterministic, original illustrations for the demo content.

Everything is drawn with Pillow from simple shapes and a seeded random
generator, so the same ``(seed, kind)`` always gives byte-identical JPEG data
and no third-party images are needed. No text is drawn.
"""

import colorsys
import io
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

KINDS = ("city", "landscape", "chart", "portrait", "document", "crowd")

# Hand-picked palettes, each ordered darkest -> lightest, with an accent last.
_PALETTES = (
    ("#1b1f3b", "#3c3f72", "#8c5e8f", "#f0b489", "#f6d186"),  # dusk
    ("#0b3c49", "#1f6f78", "#6aa8a0", "#f2d0a4", "#f76f53"),  # teal and coral
    ("#1d2b24", "#35524a", "#6b8f71", "#dfe6c4", "#e9a23b"),  # forest
    ("#2d1e2f", "#5b2a45", "#a23e48", "#f4d6a0", "#e07a5f"),  # plum
    ("#0d1b2a", "#1b263b", "#415a77", "#c9d6e3", "#e0a458"),  # ocean
    ("#3d2c2e", "#7a4e3b", "#c08552", "#efe2c0", "#5f8d7e"),  # sand
    ("#22313f", "#4f6d7a", "#a3c4bc", "#eef0ea", "#d1495b"),  # nordic
    ("#2b2d42", "#5c4d7d", "#b56576", "#f2e8cf", "#eaac8b"),  # rose
)


# --------------------------------------------------------------------------- helpers


def _hex(value):
    return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))


def _palette(rng):
    """Pick a palette and rotate its hue slightly, so every seed differs a little."""
    shift = rng.uniform(-0.035, 0.035)
    colours = []
    for value in rng.choice(_PALETTES):
        r, g, b = _hex(value)
        hue, sat, val = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        r, g, b = colorsys.hsv_to_rgb((hue + shift) % 1.0, sat, val)
        colours.append((round(r * 255), round(g * 255), round(b * 255)))
    return colours


def _mix(a, b, t):
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


def _vgradient(size, top, bottom, power=1.0):
    width, height = size
    mask = Image.linear_gradient("L").resize((width, height))
    if power != 1.0:
        lut = [round(255 * (v / 255) ** power) for v in range(256)]
        mask = mask.point(lut)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _vmask(width, height, y0, y1, a0, a1):
    """A vertical ramp mask: ``a0`` above ``y0``, ``a1`` below ``y1``, linear in between."""
    column = []
    for y in range(height):
        t = 0.0 if y <= y0 else 1.0 if y >= y1 else (y - y0) / (y1 - y0)
        column.append(round(a0 + (a1 - a0) * t))
    mask = Image.new("L", (1, height))
    mask.putdata(column)
    return mask.resize((width, height))


def _soft_mask(size, draw_fn, blur, scale=4):
    """Draw on a reduced-size greyscale layer, blur it there, and scale it back up (cheap glow)."""
    width, height = size
    small = Image.new("L", (max(1, width // scale), max(1, height // scale)), 0)
    draw_fn(ImageDraw.Draw(small), 1.0 / scale)
    if blur:
        small = small.filter(ImageFilter.GaussianBlur(blur / scale))
    return small.resize(size, Image.BILINEAR)


def _aa_mask(size, draw_fn, factor=2):
    """Draw a shape mask at ``factor`` times the size and downsample it, for smooth edges."""
    width, height = size
    big = Image.new("L", (width * factor, height * factor), 0)
    draw_fn(ImageDraw.Draw(big), factor)
    return big.resize(size, Image.LANCZOS)


def _paint(img, mask, colour):
    img.paste(Image.new("RGB", img.size, colour), (0, 0), mask)


def _grain(img, rng, amount=7, scale=2):
    """Add fine, seeded film grain (Image.effect_noise is not seedable, so build it from random bytes)."""
    width, height = img.size
    sw, sh = max(1, width // scale), max(1, height // scale)
    noise = Image.frombytes("L", (sw, sh), rng.randbytes(sw * sh)).resize((width, height), Image.BILINEAR)
    noise = noise.point([v * 2 * amount // 255 for v in range(256)])
    return ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), 1.0, -amount)


def _glow(img, centre, radius, colour, strength=1.0, halo=2.6):
    """A disc with a soft halo: sun, moon, street lamp."""
    cx, cy = centre

    def halo_fn(d, k):
        r = radius * halo * k
        d.ellipse((cx * k - r, cy * k - r, cx * k + r, cy * k + r), fill=round(150 * strength))

    _paint(img, _soft_mask(img.size, halo_fn, radius * 1.4), colour)

    def disc_fn(d, k):
        d.ellipse((cx * k - radius * k, cy * k - radius * k, cx * k + radius * k, cy * k + radius * k), fill=255)

    _paint(img, _aa_mask(img.size, disc_fn), _mix(colour, (255, 255, 255), 0.35))


def _ridge(rng, width, base_y, amplitude, step=8, waves=4):
    """A smooth horizon line: sum of a few sines with random phases."""
    comps = [
        (amplitude * rng.uniform(0.3, 1.0) / (i + 1), rng.uniform(1.0, 2.5) * (i + 1), rng.uniform(0, math.tau))
        for i in range(waves)
    ]
    points = []
    for x in range(0, width + step, step):
        u = x / width * math.tau
        y = base_y + sum(a * math.sin(f * u + p) for a, f, p in comps)
        points.append((x, y))
    return points


# --------------------------------------------------------------------------- city


def _city(rng, w, h, pal):
    dark, deep, mid, light, accent = pal
    sky_top = _mix(dark, deep, 0.25)
    horizon = _mix(mid, accent, 0.55)
    img = _vgradient((w, h), sky_top, horizon, power=1.6)
    draw = ImageDraw.Draw(img)

    for _ in range(rng.randint(70, 150)):
        x, y = rng.randrange(w), rng.randrange(int(h * 0.55))
        r = rng.choice((1, 1, 1, 2))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_mix(sky_top, (255, 255, 255), rng.uniform(0.25, 0.75)))

    moon = (rng.uniform(0.12, 0.88) * w, rng.uniform(0.14, 0.32) * h)
    _glow(img, moon, rng.uniform(0.045, 0.075) * h, _mix(light, accent, 0.3), strength=0.8)
    draw = ImageDraw.Draw(img)

    unit = w / 1600
    warm = _mix(accent, (255, 236, 170), 0.45)
    layers = (
        # (top range as share of height, width range in px, window size, lit share)
        ((0.30, 0.58), (34, 90), 0, 0.0),
        ((0.40, 0.70), (60, 130), 5, 0.22),
        ((0.52, 0.82), (90, 210), 8, 0.3),
    )
    for li, (tops, widths, win, lit) in enumerate(layers):
        t = li / (len(layers) - 1)
        body = _mix(_mix(mid, horizon, 0.55), dark, 0.25 + 0.7 * t)
        unlit = _mix(body, sky_top, 0.35)
        x = -rng.uniform(0, 60) * unit
        while x < w:
            bw = rng.uniform(*widths) * unit
            top = rng.uniform(*tops) * h
            x0, x1 = round(x), round(x + bw)
            draw.rectangle((x0, top, x1, h), fill=body)
            roof = rng.random()
            if roof < 0.2:  # stepped top
                inset = bw * rng.uniform(0.15, 0.3)
                draw.rectangle((x0 + inset, top - bw * 0.25, x1 - inset, top), fill=body)
            elif roof < 0.32:  # antenna
                ax = x0 + bw * rng.uniform(0.3, 0.7)
                draw.line((ax, top, ax, top - rng.uniform(20, 60) * unit), fill=body, width=max(1, round(3 * unit)))
            elif roof < 0.42:  # pitched roof
                draw.polygon(((x0, top), (x1, top), ((x0 + x1) / 2, top - bw * 0.3)), fill=body)
            if win:
                ws = max(2, round(win * unit))
                gx, gy = ws * 2.2, ws * 2.8
                margin = ws * 1.4
                yy = top + margin
                while yy < h - ws:
                    xx = x0 + margin
                    row_on = rng.random() < 0.85
                    while xx + ws < x1 - margin * 0.6:
                        if row_on and rng.random() < lit:
                            colour = _mix(warm, light, rng.uniform(0, 0.5))
                        else:
                            colour = unlit
                        draw.rectangle((xx, yy, xx + ws, yy + ws * 1.3), fill=colour)
                        xx += gx
                    yy += gy
            x += bw + rng.uniform(-4, 14) * unit
        # a band of haze in front of every layer but the nearest
        if li < len(layers) - 1:
            img.paste(horizon, (0, 0, w, h), _vmask(w, h, tops[0] * h, h, 0, 80))
            draw = ImageDraw.Draw(img)
    return img


# --------------------------------------------------------------------------- landscape


def _landscape(rng, w, h, pal):
    dark, deep, mid, light, accent = pal
    sky_top = _mix(deep, light, 0.45)
    sky_bottom = _mix(light, accent, 0.35)
    img = _vgradient((w, h), sky_top, sky_bottom, power=0.9)
    _glow(img, (rng.uniform(0.2, 0.8) * w, rng.uniform(0.16, 0.3) * h), 0.06 * h, _mix(accent, light, 0.4), 0.7)
    draw = ImageDraw.Draw(img)

    water_y = rng.uniform(0.47, 0.53) * h
    # far ranges, fading into the sky
    for i, (base, amp) in enumerate(((water_y - 0.16 * h, 0.06 * h), (water_y - 0.08 * h, 0.045 * h))):
        col = _mix(_mix(mid, deep, 0.3 * i), sky_bottom, 0.55 - 0.2 * i)
        pts = _ridge(rng, w, base, amp)
        draw.polygon(pts + [(w, water_y + 5), (0, water_y + 5)], fill=col)

    # reservoir behind the dam
    water = _mix(_mix(mid, sky_top, 0.5), light, 0.25)
    draw.rectangle((0, water_y, w, h), fill=water)
    for _ in range(26):
        y = rng.uniform(water_y + 3, water_y + 0.08 * h)
        x = rng.uniform(0, w)
        draw.line((x, y, x + rng.uniform(30, 140), y), fill=_mix(water, (255, 255, 255), 0.35), width=2)

    # the dam
    cx = rng.uniform(0.4, 0.6) * w
    y_low = water_y + rng.uniform(0.17, 0.22) * h
    top_half = rng.uniform(0.2, 0.26) * w
    bottom_half = top_half * rng.uniform(0.35, 0.5)
    concrete = _mix(light, (200, 200, 200), 0.45)
    shade = _mix(concrete, dark, 0.25)
    draw.polygon(
        (
            (cx - top_half, water_y - 6),
            (cx + top_half, water_y - 6),
            (cx + bottom_half, y_low),
            (cx - bottom_half, y_low),
        ),
        fill=concrete,
    )
    draw.rectangle((cx - top_half, water_y - 12, cx + top_half, water_y - 4), fill=shade)
    for i in range(1, 12):  # construction joints
        t = i / 12
        xt = cx - top_half + 2 * top_half * t
        xb = cx - bottom_half + 2 * bottom_half * t
        draw.line((xt, water_y - 4, xb, y_low), fill=_mix(concrete, shade, 0.5), width=1)
    # spillway
    sw = top_half * 0.12
    spill = _mix(water, (255, 255, 255), 0.55)
    draw.polygon(
        ((cx - sw, water_y - 4), (cx + sw, water_y - 4), (cx + sw * 0.8, y_low), (cx - sw * 0.8, y_low)), fill=spill
    )

    # valley sides, steeper than the dam's flanks so they bury its edges
    slope = (y_low - water_y) / (top_half - bottom_half) * 1.25
    for side in (-1, 1):
        col = _mix(mid, dark, 0.35)
        pts = []
        plateau = water_y - rng.uniform(0.03, 0.06) * h
        for x, n in _ridge(rng, w, 0, 0.035 * h, step=10):
            d = side * (x - cx) - bottom_half * 0.9
            if d < 0:
                continue
            y = max(y_low - slope * d, plateau) + n * min(1.0, d / (0.1 * w))
            pts.append((x, min(y, y_low)))
        if len(pts) > 1:
            edge = (pts[0][0], h) if side > 0 else (pts[-1][0], h)
            far = (w, h) if side > 0 else (0, h)
            outline = pts + [far, edge] if side > 0 else pts + [edge, far]
            shape = _aa_mask((w, h), lambda d, k, o=outline: d.polygon([(a * k, b * k) for a, b in o], fill=255))
            ramp = _vmask(w, h, plateau - 0.03 * h, y_low + 0.05 * h, 0, 255)
            shaded = Image.composite(
                Image.new("RGB", (w, h), _mix(col, dark, 0.35)), Image.new("RGB", (w, h), _mix(col, light, 0.3)), ramp
            )
            img.paste(shaded, (0, 0), shape)
            draw = ImageDraw.Draw(img)
        # contour stripes on the slope
        stripe = _mix(col, light, 0.08)
        for k in range(5):
            off = (k + 1) * 0.03 * h
            seg = [(x, y + off) for x, y in pts if y + off < y_low + 0.2 * h]
            if len(seg) > 1:
                draw.line(seg, fill=stripe, width=2)

    # valley floor opening towards the viewer
    draw.polygon(
        ((cx - bottom_half, y_low), (cx + bottom_half, y_low), (w * 1.1, h), (-0.1 * w, h)), fill=_mix(mid, light, 0.15)
    )

    # river leaving the dam, widening towards the viewer
    river = _mix(water, sky_bottom, 0.3)
    phase, amp = rng.uniform(0, math.tau), rng.uniform(0.04, 0.09) * w
    left, right = [], []
    steps = 40
    for i in range(steps + 1):
        t = i / steps
        y = y_low + (h - y_low) * t
        centre = cx + amp * math.sin(phase + t * 3.2) * t
        half = bottom_half * 0.5 + (0.22 * w) * t**1.6
        left.append((centre - half, y))
        right.append((centre + half, y))
    draw.polygon(left + right[::-1], fill=river)
    for _ in range(30):
        t = rng.uniform(0.05, 1)
        y = y_low + (h - y_low) * t
        centre = cx + amp * math.sin(phase + t * 3.2) * t
        half = (bottom_half * 0.5 + (0.22 * w) * t**1.6) * 0.7
        x = rng.uniform(centre - half, centre + half * 0.6)
        draw.line((x, y, x + half * rng.uniform(0.1, 0.3), y), fill=_mix(river, (255, 255, 255), 0.4), width=2)

    # foreground hills and small conifers
    for side in (-1, 1):
        base = h - rng.uniform(0.08, 0.16) * h
        col = _mix(dark, deep, 0.4)
        pts = []
        for x, y in _ridge(rng, w, base, 0.03 * h, step=10):
            reach = (x / w) if side > 0 else (1 - x / w)
            y = y + (1 - reach) * 0.35 * h
            pts.append((x, y))
        draw.polygon(pts + [(w, h), (0, h)], fill=col)
        for _ in range(rng.randint(10, 22)):
            x, y = rng.choice(pts[3:-3]) if len(pts) > 8 else pts[0]
            if y > h - 10:
                continue
            th = rng.uniform(0.04, 0.08) * h
            tw = th * 0.35
            draw.polygon(((x, y - th), (x + tw, y + 4), (x - tw, y + 4)), fill=_mix(col, dark, 0.6))
    return img


# --------------------------------------------------------------------------- chart


def _chart(rng, w, h, pal):
    dark, deep, mid, light, accent = pal
    paper = _mix(light, (255, 255, 255), 0.55)
    img = _vgradient((w, h), _mix(paper, mid, 0.08), _mix(paper, deep, 0.18))
    overlay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    od = ImageDraw.Draw(overlay)

    def card(box, radius):
        x0, y0, x1, y1 = box
        shadow = _soft_mask(
            (w, h),
            lambda d, k: d.rounded_rectangle(
                (x0 * k + 6 * k, y0 * k + 12 * k, x1 * k + 6 * k, y1 * k + 12 * k), radius * k, fill=90
            ),
            22,
        )
        _paint(img, shadow, _mix(dark, deep, 0.5))
        ImageDraw.Draw(img).rounded_rectangle(box, radius, fill=_mix(paper, (255, 255, 255), 0.7))

    u = h / 900
    main = (0.06 * w, 0.09 * h, 0.66 * w, 0.91 * h)
    side = (0.7 * w, 0.09 * h, 0.94 * w, 0.91 * h)
    card(main, 26 * u)
    card(side, 26 * u)
    draw = ImageDraw.Draw(img)
    ink = _mix(dark, deep, 0.3)
    faint = _mix(ink, (255, 255, 255), 0.82)

    # title placeholder bars
    x0, y0, x1, y1 = main
    draw.rounded_rectangle((x0 + 40 * u, y0 + 36 * u, x0 + 0.45 * (x1 - x0), y0 + 58 * u), 10 * u, fill=ink)
    draw.rounded_rectangle((x0 + 40 * u, y0 + 72 * u, x0 + 0.3 * (x1 - x0), y0 + 86 * u), 7 * u, fill=faint)

    # plot area
    px0, py0, px1, py1 = x0 + 70 * u, y0 + 130 * u, x1 - 40 * u, y1 - 60 * u
    for i in range(6):
        y = py0 + (py1 - py0) * i / 5
        draw.line((px0, y, px1, y), fill=faint, width=max(1, round(2 * u)))
        draw.rounded_rectangle((px0 - 46 * u, y - 5 * u, px0 - 16 * u, y + 5 * u), 5 * u, fill=faint)

    n = rng.randint(8, 13)
    values, v = [], rng.uniform(0.25, 0.45)
    trend = rng.uniform(0.01, 0.05)
    for _ in range(n):
        v = min(0.95, max(0.12, v + trend + rng.uniform(-0.09, 0.1)))
        values.append(v)
    slot = (px1 - px0) / n
    bar_w = slot * 0.56
    highlight = {rng.randrange(n), n - 1}
    for i, val in enumerate(values):
        bx = px0 + slot * i + (slot - bar_w) / 2
        top = py1 - (py1 - py0) * val * 0.8
        colour = accent if i in highlight else _mix(mid, paper, 0.25)
        draw.rounded_rectangle((bx, top, bx + bar_w, py1), min(10 * u, bar_w / 3), fill=colour)
        draw.rounded_rectangle((bx + bar_w * 0.2, py1 + 18 * u, bx + bar_w * 0.8, py1 + 28 * u), 5 * u, fill=faint)

    # a second series as a smooth line with an area under it
    line_vals, lv = [], rng.uniform(0.35, 0.6)
    for _ in range(n):
        lv = min(0.97, max(0.2, lv + rng.uniform(-0.12, 0.14)))
        line_vals.append(lv)
    pts = []
    for i in range(n - 1):
        for s in range(10):
            t = s / 10
            a, b = line_vals[i], line_vals[i + 1]
            val = a + (b - a) * (3 * t * t - 2 * t**3)
            pts.append((px0 + slot * (i + 0.5 + t), py1 - (py1 - py0) * val))
    pts.append((px0 + slot * (n - 0.5), py1 - (py1 - py0) * line_vals[-1]))
    od.polygon(pts + [(pts[-1][0], py1), (pts[0][0], py1)], fill=deep + (46,))
    img.paste(overlay, (0, 0), overlay)
    draw = ImageDraw.Draw(img)
    draw.line(pts, fill=deep, width=max(2, round(6 * u)), joint="curve")
    for i, val in enumerate(line_vals):
        x, y = px0 + slot * (i + 0.5), py1 - (py1 - py0) * val
        r = 9 * u
        draw.ellipse(
            (x - r, y - r, x + r, y + r),
            fill=_mix(paper, (255, 255, 255), 0.7),
            outline=deep,
            width=max(2, round(4 * u)),
        )

    # side card: donut and legend
    sx0, sy0, sx1, sy1 = side
    cxd, cyd = (sx0 + sx1) / 2, sy0 + (sy1 - sy0) * 0.36
    rd = (sx1 - sx0) * 0.34
    shares = [rng.uniform(0.6, 1.4) for _ in range(rng.randint(3, 5))]
    total = sum(shares)
    colours = [accent, deep, mid, _mix(mid, paper, 0.5), _mix(accent, paper, 0.45)]

    def donut_fn(d, k):
        start = -90.0
        for i, s in enumerate(shares):
            end = start + 360 * s / total
            d.pieslice((cxd * k - rd * k, cyd * k - rd * k, cxd * k + rd * k, cyd * k + rd * k), start, end, fill=i + 1)
            start = end
        ri = rd * 0.58
        d.ellipse((cxd * k - ri * k, cyd * k - ri * k, cxd * k + ri * k, cyd * k + ri * k), fill=0)

    big = Image.new("L", (w * 2, h * 2), 0)
    donut_fn(ImageDraw.Draw(big), 2)
    for i in range(len(shares)):
        mask = big.point(lambda v, target=i + 1: 255 if v == target else 0).resize((w, h), Image.LANCZOS)
        _paint(img, mask, colours[i])
    draw = ImageDraw.Draw(img)
    ly = cyd + rd + 50 * u
    for i in range(len(shares)):
        y = ly + i * 40 * u
        if y > sy1 - 30 * u:
            break
        draw.rounded_rectangle((sx0 + 36 * u, y, sx0 + 58 * u, y + 22 * u), 6 * u, fill=colours[i])
        draw.rounded_rectangle(
            (sx0 + 74 * u, y + 6 * u, sx0 + 74 * u + rng.uniform(0.3, 0.55) * (sx1 - sx0), y + 16 * u),
            5 * u,
            fill=faint,
        )
    return img


# --------------------------------------------------------------------------- portrait


def _portrait(rng, w, h, pal):
    dark, deep, mid, light, accent = pal
    img = _vgradient((w, h), _mix(light, mid, 0.25), _mix(mid, deep, 0.35), power=1.2)

    # big soft colour fields
    for colour in (accent, deep, light, mid):
        bx, by = rng.uniform(0, w), rng.uniform(0, h)
        br = rng.uniform(0.25, 0.5) * h
        mask = _soft_mask(
            (w, h),
            lambda d, k, x=bx, y=by, r=br: d.ellipse(((x - r) * k, (y - r) * k, (x + r) * k, (y + r) * k), fill=110),
            br * 0.6,
            scale=8,
        )
        _paint(img, mask, colour)

    draw = ImageDraw.Draw(img)
    # halftone dots, growing towards one corner
    corner = rng.choice(((0, 0), (w, 0), (0, h), (w, h)))
    dot_col = _mix(light, (255, 255, 255), 0.3)
    spacing = round(22 * h / 900)
    reach = math.hypot(w, h) * 0.55
    for gy in range(spacing // 2, h, spacing):
        offset = spacing // 2 if (gy // spacing) % 2 else 0
        for gx in range(offset, w, spacing):
            dist = math.hypot(gx - corner[0], gy - corner[1])
            if dist > reach:
                continue
            r = (1 - dist / reach) * spacing * 0.42
            if r >= 1:
                draw.ellipse((gx - r, gy - r, gx + r, gy + r), fill=dot_col)

    cx = rng.choice((0.36, 0.5, 0.64)) * w + rng.uniform(-0.03, 0.03) * w
    head_y = rng.uniform(0.38, 0.43) * h
    hr = rng.uniform(0.125, 0.145) * h
    tilt = rng.uniform(-0.02, 0.02) * h

    # halo disc behind the head
    halo_r = hr * rng.uniform(1.7, 2.1)
    _paint(
        img,
        _aa_mask(
            (w, h),
            lambda d, k: d.ellipse(
                ((cx - halo_r) * k, (head_y - halo_r) * k, (cx + halo_r) * k, (head_y + halo_r) * k), fill=235
            ),
        ),
        _mix(accent, light, 0.25),
    )

    def figure(d, k, dx=0.0, dy=0.0):
        x, y = cx + dx + tilt, head_y + dy
        d.ellipse(((x - hr * 0.8) * k, (y - hr * 1.05) * k, (x + hr * 0.8) * k, (y + hr * 1.05) * k), fill=255)
        d.rounded_rectangle(
            ((x - hr * 0.36) * k, (y + hr * 0.4) * k, (x + hr * 0.36) * k, (y + hr * 1.9) * k),
            round(hr * 0.2 * k),
            fill=255,
        )
        d.ellipse(((x - hr * 2.6) * k, (y + hr * 1.45) * k, (x + hr * 2.6) * k, (y + hr * 4.6) * k), fill=255)
        d.rectangle(((x - hr * 2.6) * k, (y + hr * 3.0) * k, (x + hr * 2.6) * k, (h + 10) * k), fill=255)

    echo_dx = rng.choice((-1, 1)) * 0.028 * w
    _paint(img, _aa_mask((w, h), lambda d, k: figure(d, k, echo_dx, -0.012 * h)), _mix(accent, deep, 0.2))
    body_mask = _aa_mask((w, h), figure)
    body = _vgradient((w, h), _mix(dark, deep, 0.4), dark)
    img.paste(body, (0, 0), body_mask)
    # rim light on the side facing the echo
    shifted = ImageChops.offset(body_mask, round(-echo_dx * 0.25), 0)
    rim = ImageChops.subtract(body_mask, shifted).filter(ImageFilter.GaussianBlur(1.5))
    _paint(img, rim, _mix(light, (255, 255, 255), 0.4))
    # an open collar
    x, y = cx + tilt, head_y
    collar = _aa_mask(
        (w, h),
        lambda d, k: d.polygon(
            (
                ((x - hr * 0.7) * k, (y + hr * 1.55) * k),
                ((x + hr * 0.7) * k, (y + hr * 1.55) * k),
                (x * k, (y + hr * 2.9) * k),
            ),
            fill=255,
        ),
    )
    _paint(img, collar, _mix(mid, light, 0.35))
    neck = _aa_mask(
        (w, h),
        lambda d, k: d.polygon(
            (
                ((x - hr * 0.36) * k, (y + hr * 1.5) * k),
                ((x + hr * 0.36) * k, (y + hr * 1.5) * k),
                (x * k, (y + hr * 2.5) * k),
            ),
            fill=255,
        ),
    )
    img.paste(body, (0, 0), neck)
    return img


# --------------------------------------------------------------------------- document


def _sheet(rng, sw, sh, pal, top):
    dark, deep, mid, light, accent = pal
    paper = _mix(_mix(light, (255, 255, 255), 0.6), mid, rng.uniform(0.0, 0.06))
    sheet = Image.new("RGBA", (sw, sh), paper + (255,))
    d = ImageDraw.Draw(sheet)
    ink = _mix(dark, (120, 120, 120), 0.35)
    text = _mix(ink, paper, 0.55)
    m = sw * 0.1
    u = sw / 500
    # letterhead
    d.rectangle((m, m * 0.9, m + sw * 0.14, m * 0.9 + sw * 0.14), outline=ink, width=max(2, round(3 * u)))
    d.rectangle((m + sw * 0.2, m, m + sw * 0.58, m + 14 * u), fill=ink)
    d.rectangle((m + sw * 0.2, m + 26 * u, m + sw * 0.45, m + 34 * u), fill=text)
    d.line((m, m * 0.9 + sw * 0.2, sw - m, m * 0.9 + sw * 0.2), fill=text, width=max(1, round(2 * u)))
    y = m * 0.9 + sw * 0.26
    line_h = 17 * u
    redacting = False
    while y < sh - m * 1.6:
        if rng.random() < 0.12:  # paragraph gap
            y += line_h * 0.8
            continue
        length = (sw - 2 * m) * (rng.uniform(0.35, 0.8) if rng.random() < 0.15 else 1.0)
        d.rectangle((m, y, m + length, y + 6 * u), fill=text)
        if redacting or rng.random() < (0.22 if top else 0.15):
            a = m + rng.uniform(0, 0.5) * length
            b = min(m + length, a + rng.uniform(0.2, 0.6) * (sw - 2 * m))
            d.rectangle((a, y - 5 * u, b, y + 11 * u), fill=(18, 18, 20))
            redacting = rng.random() < 0.35
        y += line_h
    if top:
        # stamp and signature
        sx, sy, sr = sw * rng.uniform(0.58, 0.72), sh - m * 2.4, sw * 0.11
        stamp = Image.new("L", (sw, sh), 0)
        sd = ImageDraw.Draw(stamp)
        sd.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), outline=190, width=max(3, round(5 * u)))
        sd.ellipse(
            (sx - sr * 0.72, sy - sr * 0.72, sx + sr * 0.72, sy + sr * 0.72), outline=190, width=max(2, round(3 * u))
        )
        sd.rectangle((sx - sr * 0.45, sy - 5 * u, sx + sr * 0.45, sy + 5 * u), fill=190)
        sheet.paste(Image.new("RGBA", (sw, sh), accent + (255,)), (0, 0), stamp)
        pts = []
        x0 = m
        for i in range(40):
            t = i / 39
            pts.append((x0 + t * sw * 0.3, sh - m * 1.9 + math.sin(t * 14 + rng.uniform(0, 0.4)) * 9 * u - t * 12 * u))
        d.line(pts, fill=_mix(deep, (20, 30, 90), 0.5), width=max(2, round(3 * u)), joint="curve")
    return sheet


def _document(rng, w, h, pal):
    dark, deep, mid, light, _accent = pal
    desk = _mix(deep, mid, 0.35)
    img = _vgradient((w, h), _mix(desk, light, 0.1), _mix(desk, dark, 0.35))
    draw = ImageDraw.Draw(img)
    # faint desk grain
    for _ in range(60):
        y = rng.uniform(0, h)
        draw.line(
            (0, y, w, y + rng.uniform(-20, 20)), fill=_mix(desk, dark, rng.uniform(0.05, 0.15)), width=rng.randint(1, 3)
        )
    # coffee ring
    rx, ry, rr = rng.uniform(0.05, 0.95) * w, rng.uniform(0.1, 0.9) * h, 0.09 * h
    ring = _soft_mask(
        (w, h),
        lambda d, k: d.ellipse(
            ((rx - rr) * k, (ry - rr) * k, (rx + rr) * k, (ry + rr) * k), outline=120, width=max(1, round(10 * k))
        ),
        6,
        scale=2,
    )
    _paint(img, ring, _mix(desk, dark, 0.5))

    sh = round(h * 0.86)
    sw = round(sh / 1.414)
    count = rng.randint(3, 5)
    for i in range(count):
        top = i == count - 1
        sheet = _sheet(rng, sw, sh, pal, top)
        angle = rng.uniform(-14, 14) if not top else rng.uniform(-5, 5)
        rotated = sheet.rotate(angle, resample=Image.BICUBIC, expand=True)
        spread = (i + 0.5) / count
        px = round(w * (0.12 + 0.62 * spread) - rotated.width / 2 + rng.uniform(-40, 40))
        py = round((h - rotated.height) / 2 + rng.uniform(-50, 50))
        alpha = rotated.getchannel("A")
        shadow_small = alpha.resize((max(1, alpha.width // 4), max(1, alpha.height // 4))).filter(
            ImageFilter.GaussianBlur(5)
        )
        shadow = shadow_small.resize(alpha.size, Image.BILINEAR).point(lambda v: v * 45 // 100)
        img.paste(Image.new("RGB", shadow.size, _mix(dark, (0, 0, 0), 0.4)), (px + 14, py + 20), shadow)
        img.paste(rotated, (px, py), rotated)
    return img


# --------------------------------------------------------------------------- crowd


def _crowd(rng, w, h, pal):
    dark, deep, mid, light, accent = pal
    sky_top = _mix(light, mid, 0.3)
    sky_bottom = _mix(light, accent, 0.3)
    img = _vgradient((w, h), sky_top, sky_bottom)
    _glow(
        img,
        (rng.uniform(0.15, 0.85) * w, rng.uniform(0.18, 0.3) * h),
        0.09 * h,
        _mix(accent, light, 0.2),
        0.6,
        halo=2.0,
    )
    # a low skyline far behind
    draw = ImageDraw.Draw(img)
    back = _mix(mid, sky_bottom, 0.55)
    x = 0.0
    while x < w:
        bw = rng.uniform(40, 120) * w / 1600
        draw.rectangle((x, rng.uniform(0.3, 0.42) * h, x + bw, h), fill=back)
        x += bw
    draw.rectangle((0, 0.42 * h, w, h), fill=_mix(back, dark, 0.1))

    factor = 2  # supersample the figures for smooth heads
    layer = Image.new("RGB", (w * factor, h * factor), (0, 0, 0))
    mask = Image.new("L", (w * factor, h * factor), 0)
    ld, md = ImageDraw.Draw(layer), ImageDraw.Draw(mask)
    clothes = [deep, mid, accent, _mix(accent, dark, 0.3), _mix(mid, dark, 0.4), _mix(light, mid, 0.4), dark]
    rows = 8
    for row in range(rows):
        t = row / (rows - 1)  # 0 = far, 1 = near
        r = (8 + 46 * t**1.6) * h / 900
        base_y = (0.44 + 0.6 * t**1.1) * h
        fade = 0.6 * (1 - t) ** 1.3
        x = -rng.uniform(0, r * 2)
        while x < w + r * 2:
            cx = x + rng.uniform(-r * 0.3, r * 0.3)
            by = base_y + rng.uniform(-r * 0.4, r * 0.4)
            body_col = _mix(rng.choice(clothes), sky_bottom, fade)
            skin = _mix(
                _mix(
                    rng.choice((light, _mix(light, accent, 0.5), _mix(light, dark, 0.3))), dark, rng.uniform(0.0, 0.35)
                ),
                sky_bottom,
                fade,
            )
            k = factor
            if rng.random() < 0.035 and t < 0.9:  # placard
                sign = _mix(rng.choice((light, (250, 248, 240), accent)), sky_bottom, fade)
                ph = r * rng.uniform(2.6, 3.4)
                pw = r * rng.uniform(2.5, 4)
                stick = _mix(dark, sky_bottom, fade)
                for dd, fill in ((ld, stick), (md, 255)):
                    dd.rectangle(
                        ((cx - r * 0.08) * k, (by - r * 1.4 - ph) * k, (cx + r * 0.08) * k, (by - r) * k), fill=fill
                    )
                for dd, fill in ((ld, sign), (md, 255)):
                    dd.rounded_rectangle(
                        (
                            (cx - pw / 2) * k,
                            (by - r * 1.6 - ph * 1.5) * k,
                            (cx + pw / 2) * k,
                            (by - r * 1.6 - ph * 0.6) * k,
                        ),
                        round(r * 0.2 * k),
                        fill=fill,
                    )
            edge = _mix(_mix(body_col, dark, 0.55), sky_bottom, fade)
            o = r * 0.12
            for grow, fb, fh in ((o, edge, edge), (0.0, body_col, skin)):
                box_body = (
                    (cx - r * 1.35 - grow) * k,
                    (by + r * 1.15 - grow) * k,
                    (cx + r * 1.35 + grow) * k,
                    (by + r * 5 + grow) * k,
                )
                box_head = ((cx - r - grow) * k, (by - r - grow) * k, (cx + r + grow) * k, (by + r + grow) * k)
                ld.rounded_rectangle(box_body, round((r * 1.1 + grow) * k), fill=fb)
                ld.ellipse(box_head, fill=fh)
                md.rounded_rectangle(box_body, round((r * 1.1 + grow) * k), fill=255)
                md.ellipse(box_head, fill=255)
            x += r * rng.uniform(2.6, 3.4)
    layer = layer.resize((w, h), Image.LANCZOS)
    mask = mask.resize((w, h), Image.LANCZOS)
    img.paste(layer, (0, 0), mask)
    return img


# --------------------------------------------------------------------------- entry point

_RENDERERS = {
    "city": _city,
    "landscape": _landscape,
    "chart": _chart,
    "portrait": _portrait,
    "document": _document,
    "crowd": _crowd,
}


def make_image(seed: int, kind: str, width: int = 1600, height: int = 900) -> bytes:
    """Return JPEG bytes of an original illustration; identical for identical arguments."""
    if kind not in _RENDERERS:
        raise ValueError(f"Unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    rng = random.Random(seed * 31 + KINDS.index(kind))
    palette = _palette(rng)
    img = _RENDERERS[kind](rng, width, height, palette).convert("RGB")
    img = _grain(img, rng)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()
