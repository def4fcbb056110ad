"""Demo content for Samizdat: an invented newsroom covering an invented country.

Everything here is original fiction written for this project. Kestrava, its
cities (Orlensk, Vyshgor, Brenitsa, Kaminsk, Tallovar, Velichany, Dolinsk),
its currency (the talir), its institutions, companies and people do not exist.
Lindhaven is the equally fictional city where the newsroom works in exile.

This module is plain data, with no Django imports, so it can be read by a
management command, by tests, or by anyone curious.
"""

SECTIONS = [
    {
        "slug": "news",
        "title": "News",
        "title_ru": "Новости",
        "introduction": (
            "What is happening in Kestrava today, reported by our staff in exile and by correspondents "
            "who still work inside the country. Checked, sourced and free of advertising."
        ),
        "introduction_ru": "Что происходит в Кестраве сегодня — в репортажах нашей редакции в эмиграции и корреспондентов, которые всё ещё работают в стране. Проверено, с источниками и без рекламы.",
    },
    {
        "slug": "investigations",
        "title": "Investigations",
        "title_ru": "Расследования",
        "introduction": (
            "Long-form reporting built on documents, data and months of work: where public money goes, "
            "who benefits, and who is left to pay for it."
        ),
        "introduction_ru": "Большие материалы, построенные на документах, данных и месяцах работы: куда уходят государственные деньги, кто на этом зарабатывает и кому за это платить.",
    },
    {
        "slug": "business",
        "title": "Business",
        "title_ru": "Экономика",
        "introduction": (
            "Prices, wages, energy and the companies that run the Kestravan economy, seen from the "
            "kitchen table as well as the boardroom."
        ),
        "introduction_ru": "Цены, зарплаты, энергетика и компании, которые управляют экономикой Кестравы, — глазами и кухонного стола, и совета директоров.",
    },
    {
        "slug": "opinion",
        "title": "Opinion",
        "title_ru": "Мнения",
        "introduction": (
            "Arguments, letters and columns from our journalists and guest writers. Opinion pieces reflect "
            "the views of their authors; our reporting does not take sides."
        ),
        "introduction_ru": "Колонки, письма и аргументы наших журналистов и приглашённых авторов. Колонки выражают мнение их авторов; наши репортажи не принимают ничьей стороны.",
    },
]

TOPICS = [
    {
        "slug": "censorship",
        "name": "Censorship",
        "name_ru": "Цензура",
        "description": "Blocked websites, banned books, scripts sent for approval: how the state decides what Kestravans may read, watch and say.",
    },
    {
        "slug": "press-freedom",
        "name": "Press freedom",
        "name_ru": "Свобода прессы",
        "description": "Journalists under pressure at home and abroad, and the newsrooms that keep publishing anyway.",
    },
    {
        "slug": "courts",
        "name": "Courts",
        "name_ru": "Суды",
        "description": "Trials, verdicts and the people who write them down. We report on court cases whose outcomes are known in advance, because the record matters.",
    },
    {
        "slug": "economy",
        "name": "Economy",
        "name_ru": "Экономика",
        "description": "Inflation, wages, pensions and the prices that official statistics miss.",
    },
    {
        "slug": "energy",
        "name": "Energy",
        "name_ru": "Энергетика",
        "description": "Gas, heating, hydroelectric power and who pays for them.",
    },
    {
        "slug": "environment",
        "name": "Environment",
        "name_ru": "Экология",
        "description": "Rivers, dams, factories and the communities that live downstream.",
    },
    {
        "slug": "health",
        "name": "Health",
        "name_ru": "Здоровье",
        "description": "Hospitals, medicines and the doctors who are leaving the regions.",
    },
    {
        "slug": "education",
        "name": "Education",
        "name_ru": "Образование",
        "description": "Schools, teachers and what children are allowed to learn.",
    },
    {
        "slug": "elections",
        "name": "Elections",
        "name_ru": "Выборы",
        "description": "Ballots, candidates, voter registers and the people who check them.",
    },
    {
        "slug": "technology",
        "name": "Technology",
        "name_ru": "Технологии",
        "description": "Surveillance, circumvention tools and the companies that hold Kestravans' data.",
    },
    {
        "slug": "culture",
        "name": "Culture",
        "name_ru": "Культура",
        "description": "Theatre, books and art made under pressure, and sometimes because of it.",
    },
    {
        "slug": "exile",
        "name": "Exile",
        "name_ru": "Эмиграция",
        "description": "Kestravans who have left, and what it means to keep working for a country you cannot enter.",
    },
    {
        "slug": "regions",
        "name": "Regions",
        "name_ru": "Регионы",
        "description": "Life beyond the capital: Vyshgor, Brenitsa, Kaminsk, Tallovar and the small towns in between.",
    },
    {
        "slug": "labour",
        "name": "Labour",
        "name_ru": "Труд",
        "description": "Wages, strikes and the people who do the work.",
    },
]

AUTHORS = [
    {
        "slug": "anna-belskaya",
        "name": "Anna Belskaya",
        "role": "Editor-in-chief",
        "role_ru": "Главный редактор",
        "bio": (
            "Anna Belskaya founded Samizdat's predecessor as a two-person newsletter in Orlensk and has led the "
            "newsroom since. She moved to Lindhaven with most of the staff after the publication was declared "
            "an undesirable organisation."
        ),
    },
    {
        "slug": "timur-osadchy",
        "name": "Timur Osadchy",
        "role": "Investigations editor",
        "role_ru": "Редактор отдела расследований",
        "bio": (
            "Timur Osadchy trained as a civil engineer before turning to journalism. He leads Samizdat's "
            "investigations team and has reported on public procurement and infrastructure for twelve years."
        ),
    },
    {
        "slug": "lena-korvin",
        "name": "Lena Korvin",
        "role": "Economics correspondent",
        "role_ru": "Экономический обозреватель",
        "bio": (
            "Lena Korvin covers prices, wages and energy. She started Samizdat's monthly bread index with the "
            "help of readers in six regions."
        ),
    },
    {
        "slug": "pavel-drozd",
        "name": "Pavel Drozd",
        "role": "Regional correspondent",
        "role_ru": "Региональный корреспондент",
        "bio": (
            "Pavel Drozd is a pseudonym. Our regional correspondent still lives and works in Kestrava, travelling "
            "between Vyshgor, Kaminsk and the villages the national press no longer visits."
        ),
    },
    {
        "slug": "sasha-ilyina",
        "name": "Sasha Ilyina",
        "role": "Courts and human rights reporter",
        "role_ru": "Корреспондент по судам и правам человека",
        "bio": (
            "Sasha Ilyina has attended more than three hundred hearings in cases against journalists, activists "
            "and ordinary citizens. She writes a column on the courts for our Opinion section."
        ),
    },
    {
        "slug": "daniel-holm",
        "name": "Daniel Holm",
        "role": "Technology and security reporter",
        "role_ru": "Корреспондент по технологиям и безопасности",
        "bio": (
            "Daniel Holm writes about surveillance, censorship technology and how to get around it. Before "
            "joining Samizdat he worked as a network administrator for a Kestravan internet provider."
        ),
    },
    {
        "slug": "vera-nakhimova",
        "name": "Vera Nakhimova",
        "role": "Culture editor",
        "role_ru": "Редактор отдела культуры",
        "bio": (
            "Vera Nakhimova writes about theatre, books and the people who keep making art in Kestrava. She "
            "also edits our long reads about life in exile."
        ),
    },
    {
        "slug": "marta-kveli",
        "name": "Marta Kveli",
        "role": "Data journalist",
        "role_ru": "Дата-журналист",
        "bio": (
            "Marta Kveli builds the datasets behind Samizdat's investigations, from hospital staffing tables to "
            "voter registers, and publishes her methods so that others can check them."
        ),
    },
]

LICENCES = [
    {"name": "CC BY 4.0", "name_ru": "CC BY 4.0", "deed_url": "https://creativecommons.org/licenses/by/4.0/"},
    {"name": "CC BY-SA 4.0", "name_ru": "CC BY-SA 4.0", "deed_url": "https://creativecommons.org/licenses/by-sa/4.0/"},
    {"name": "CC BY-NC 4.0", "name_ru": "CC BY-NC 4.0", "deed_url": "https://creativecommons.org/licenses/by-nc/4.0/"},
    {"name": "CC BY-ND 4.0", "name_ru": "CC BY-ND 4.0", "deed_url": "https://creativecommons.org/licenses/by-nd/4.0/"},
    {"name": "CC0 1.0", "name_ru": "CC0 1.0", "deed_url": "https://creativecommons.org/publicdomain/zero/1.0/"},
    {
        "name": "Public domain",
        "name_ru": "Общественное достояние",
        "deed_url": "https://creativecommons.org/publicdomain/mark/1.0/",
    },
    {"name": "All rights reserved", "name_ru": "Все права защищены", "deed_url": ""},
    {"name": "Used with permission", "name_ru": "Публикуется с разрешения", "deed_url": ""},
]

ARTICLES = [
    # ------------------------------------------------------------------ 1
    {
        "slug": "inspectorate-blocks-43-more-vpn-services",
        "section": "news",
        "language": "en",
        "title": "Inspectorate blocks 43 more VPN services as readers find new ways in",
        "standfirst": (
            "The Communications Inspectorate has widened its blocklist for the third time this year. "
            "Traffic to independent media has barely moved."
        ),
        "authors": ["daniel-holm"],
        "topics": ["censorship", "technology", "press-freedom"],
        "days_ago": 0,
        "image": {
            "seed": 101,
            "kind": "city",
            "alt": "Illustration: a city skyline at night, with scattered lit windows and a pale moon.",
            "caption": "Orlensk after dark. Most households that read independent media now do so through some kind of circumvention tool.",
            "credit": "Daniel Holm / Samizdat",
            "credit_url": "",
            "licence": "CC BY 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Kestrava's Communications Inspectorate added 43 virtual private network services to its national blocklist on Monday, the largest single expansion since the regulator began targeting circumvention tools two years ago. The order, published without comment on the Inspectorate's website late on Sunday, instructs internet providers to cut access within 24 hours.</p>",
            ),
            (
                "paragraph",
                '<p>The list includes several of the paid services most often recommended on Kestravan-language forums, as well as two free browser extensions. Providers in Orlensk and Vyshgor began applying the blocks within hours, according to readers who wrote to Samizdat and to network measurements shared by the volunteer project <a href="https://example.org/netwatch">NetWatch Kestrava</a>.</p>',
            ),
            ("subheading", "What the numbers show"),
            (
                "paragraph",
                "<p>If the aim is to cut readers off from independent news, the numbers suggest it is not working. Samizdat's audience inside the country fell by roughly a fifth in the two days after each of the previous three blocking waves, then recovered within a fortnight. Our analytics do not record individual readers, but they do show, in aggregate, which routes people use to reach us, and the mix changes quickly: as soon as one route closes, another opens.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "Every block teaches another million people what a VPN is. The Inspectorate has become the best advertiser the circumvention industry ever had.",
                    "attribution": "A network engineer in Orlensk, who asked not to be named",
                },
            ),
            (
                "paragraph",
                "<p>The engineer, who has worked for two of the country's largest providers, said the blocks rely on address lists combined with traffic-inspection equipment installed at exchange points over the past three years. “It is expensive, it slows everything down, and it breaks things nobody meant to break,” he said. On Monday afternoon a payment system used by several regional pharmacies went offline for three hours, which he attributed to an overbroad filtering rule.</p>",
            ),
            ("subheading", "Risks for readers"),
            (
                "paragraph",
                "<p>Using a VPN is not itself illegal in Kestrava, but advertising one has been an administrative offence since last year, and prosecutors have twice argued in court that sharing instructions amounts to “facilitating access to prohibited information”. Lawyers say the risk to ordinary users remains low but is not zero, particularly for civil servants and teachers, whose work phones may be inspected.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "How to keep reading Samizdat",
                    "body": "<ul><li>Subscribe to our email digest: it arrives whether or not the site is blocked.</li><li>Use our mirror addresses, which we rotate every week.</li><li>Install apps only from official stores, never from links sent by strangers.</li><li>If your work phone is monitored, read on a personal device.</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>The Inspectorate did not reply to written questions about how it selects services or about the pharmacy outage. In a televised interview last month its deputy head said the blocks were meant to protect citizens from “information sabotage”, adding that the agency had “no interest in what people read, only in who is paying for it”.</p>",
            ),
            (
                "paragraph",
                "<p>Samizdat has been blocked in Kestrava since March two years ago. We publish fresh mirror addresses in our newsletter every week.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 2
    {
        "slug": "brenitsa-courier-reporters-go-on-trial",
        "section": "news",
        "language": "en",
        "title": "Four Brenitsa Courier reporters go on trial over their reporting on a collapsed pension fund",
        "standfirst": (
            "Prosecutors say the stories were coordinated from abroad. The defence says the indictment "
            "consists of the articles themselves, with sentences underlined."
        ),
        "authors": ["sasha-ilyina"],
        "topics": ["courts", "press-freedom", "regions"],
        "days_ago": 2,
        "image": {
            "seed": 202,
            "kind": "crowd",
            "alt": "Illustration: a dense crowd of rounded figures, a few holding up blank placards, under an evening sky.",
            "caption": "Supporters gathered outside Brenitsa regional court for the length of the first hearing.",
            "credit": "Pavel Drozd / Samizdat",
            "credit_url": "",
            "licence": "CC BY-SA 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>The trial of four journalists from the <i>Brenitsa Courier</i>, one of the last independent regional newspapers in Kestrava, opened on Tuesday in a courtroom so small that two of the defendants' parents had to wait in the corridor. The reporters, Marta Levchenko, Ilya Sorin, Yuri Batalov and Nadia Kress, are charged with “participating in an extremist community”, an offence that carries up to eight years in prison.</p>",
            ),
            (
                "paragraph",
                "<p>The case rests on a series of articles the <i>Courier</i> published two years ago about the collapse of the Brenitsa Regional Pension Fund, which lost the savings of roughly 30,000 people after investing in construction projects linked to the regional governor's family. None of the articles has been found to be inaccurate. Prosecutors argue instead that they were “commissioned and coordinated” by a foreign foundation that had given the newspaper a small grant for computers.</p>",
            ),
            ("subheading", "An indictment made of articles"),
            (
                "paragraph",
                "<p>The indictment, which runs to 212 pages and which Samizdat has reviewed, consists largely of the articles themselves, reprinted in full, with sentences underlined by an expert from the regional linguistics institute. One underlined passage describes pensioners queuing outside the fund's closed office in the rain. According to the expert, the words “in the rain” were intended to “provoke negative emotions towards the authorities”.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "They have put our journalism on trial word by word. I am proud of every word.",
                    "attribution": "Marta Levchenko, speaking from the defendants' cage",
                },
            ),
            (
                "paragraph",
                "<p>Defence lawyer Grigory Tamm asked the court to exclude the linguistic report, noting that its author had produced near-identical assessments in eleven other cases in the past year. Judge Irina Polyak rejected the motion in under a minute. She also refused to let the defendants' colleagues film the hearing, citing “the safety of participants”.</p>",
            ),
            (
                "paragraph",
                "<p>The four have spent fourteen months in pre-trial detention. Colleagues still at liberty have kept the <i>Courier</i> going online, and its print edition, now four pages instead of twelve, still appears on Fridays. Circulation, the acting editor told Samizdat, has gone up.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "The case so far",
                    "body": "<ul><li><b>14 months</b> in pre-trial detention for all four reporters</li><li><b>212 pages</b> in the indictment, most of them reprinted articles</li><li><b>0</b> corrections requested by the pension fund or the governor's office</li><li>Next hearing: later this month</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>Outside the courthouse, around sixty people stood in silence for the length of the hearing. Several held printed copies of the <i>Courier</i>'s front page from the day the fund collapsed. Police photographed them but made no arrests.</p>",
            ),
            (
                "paragraph",
                "<p>The regional prosecutor's office did not respond to a request for comment. When the trial resumes, the prosecution is expected to call the foundation's former programme officer as a witness. She lives abroad and has said she will not attend.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 3
    {
        "slug": "the-price-of-a-loaf-bread-inflation-index",
        "section": "business",
        "language": "en",
        "title": "The price of a loaf: how bread became Kestrava's real inflation index",
        "standfirst": (
            "Official inflation is 7.8%. The price of an ordinary loaf has risen 31% in a year. "
            "Our readers tracked bread prices in 26 shops across six regions to find out why."
        ),
        "authors": ["lena-korvin", "pavel-drozd"],
        "topics": ["economy", "regions"],
        "days_ago": 5,
        "image": {
            "seed": 303,
            "kind": "chart",
            "alt": "Illustration: a stylised dashboard with a bar chart, a line chart and a ring chart.",
            "caption": "Samizdat's bread index is compiled every Saturday by volunteers in six regions.",
            "credit": "Lena Korvin / Samizdat",
            "credit_url": "https://example.org/bread-index",
            "licence": "CC BY-NC 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Every Saturday for the past three months, a small group of Samizdat readers has gone shopping with a notebook. In 26 shops across six regions, from supermarkets in the capital to a village kiosk outside Kaminsk, they recorded the price of the same thing: a 700-gram loaf of ordinary wheat bread, the brick-shaped <i>kirpich</i> that most Kestravan families still buy every day.</p>",
            ),
            (
                "paragraph",
                "<p>The results are stark. The average price of a kirpich in our sample rose from 38 to 50 talirs over twelve months, an increase of 31%. The State Statistics Committee puts annual inflation at 7.8%, and its own index for bread and bakery products at 11%.</p>",
            ),
            ("subheading", "Flour, fuel and fixed prices"),
            (
                "paragraph",
                "<p>Bakers we spoke to point to three causes. Flour has become more expensive since the government capped grain prices and limited exports, which was meant to keep domestic prices down but instead persuaded many farmers to store their harvests rather than sell at a loss. Diesel for delivery vans has risen by a quarter. And since last spring, bakeries have had to buy packaging from a single licensed supplier.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "I used to bake 900 loaves a night. Now it is 600, and I still throw some away, because people buy half a loaf and ask me to cut it.",
                    "attribution": "Rustam, a baker in Vyshgor",
                },
            ),
            (
                "paragraph",
                "<p>The government's answer has been to cap the retail price of “social bread” at 42 talirs in state-owned shops. In most of the shops our readers visited, however, social bread was either sold out by mid-morning or not stocked at all. In Tallovar region, a shop assistant told one reader that the capped loaf was delivered twice a week “for the inspectors”.</p>",
            ),
            (
                "image",
                {
                    "seed": 331,
                    "kind": "chart",
                    "alt": "Illustration: a bar chart with a rising trend and a line running across the bars.",
                    "caption": "Average price of a 700g wheat loaf in our 26-shop sample. The full dataset is available on request.",
                    "credit": "Lena Korvin / Samizdat",
                    "credit_url": "",
                    "licence": "CC BY 4.0",
                },
            ),
            (
                "paragraph",
                "<p>The rise hits hardest where incomes are lowest. For a pensioner on the minimum state pension of 6,200 talirs a month, a daily loaf now costs almost a quarter of their income, up from under a fifth a year ago. In rural areas, where shops are fewer and prices higher, the share is larger still.</p>",
            ),
            (
                "paragraph",
                "<p>Economists are cautious about drawing national conclusions from a sample gathered by volunteers. “This is not a statistical survey, and nobody should treat it as one,” said Oksana Reiter, an economist who left the Orlensk Institute of Economics last year. “But when 26 independent observations all move in the same direction, and the official figure moves much more slowly, you have to ask what the official basket is measuring.”</p>",
            ),
            (
                "paragraph",
                '<p>The Statistics Committee did not answer our questions about its methodology. We will keep publishing the bread index every month, and readers who would like to take part can <a href="https://example.org/bread-index">join the project here</a>.</p>',
            ),
        ],
    },
    # ------------------------------------------------------------------ 4
    {
        "slug": "upper-selva-dam-cracks-painted-over",
        "section": "investigations",
        "language": "en",
        "title": "The cracks they painted over: inside the Upper Selva dam",
        "standfirst": (
            "Engineers warned for six years that the country's second-largest dam needed urgent repairs. "
            "The money was approved and spent. The cracks are still there."
        ),
        "authors": ["timur-osadchy"],
        "topics": ["environment", "energy", "regions"],
        "days_ago": 9,
        "image": {
            "seed": 404,
            "kind": "landscape",
            "alt": "Illustration: a concrete dam spanning a valley between steep hills, with a reservoir behind it and a river below.",
            "caption": "The Upper Selva dam holds back 2.4 billion cubic metres of water above the town of Velichany.",
            "credit": "Timur Osadchy / Samizdat",
            "credit_url": "",
            "licence": "All rights reserved",
        },
        "body": [
            (
                "paragraph",
                "<p>The Upper Selva hydroelectric dam holds back 2.4 billion cubic metres of water above the town of Velichany and its 19,000 residents. It supplies around 14% of Kestrava's electricity. And according to internal inspection reports obtained by Samizdat, its concrete has been cracking for at least six years.</p>",
            ),
            (
                "paragraph",
                "<p>The documents, passed to us by a former employee of the state operator Kestragidro and verified with two engineers who worked on the site, describe a series of fractures in the dam's downstream face and in the inspection galleries that run through its body. A report from six years ago classifies the largest of them as “requiring priority intervention”. Every annual report since has repeated the recommendation.</p>",
            ),
            ("subheading", "Repairs on paper"),
            (
                "paragraph",
                "<p>Four years ago the government approved 1.9 billion talirs for a repair programme. Procurement records show the contract went to Selvastroi, a company registered eight months earlier, whose director is the brother-in-law of a deputy energy minister. Selvastroi submitted completion certificates the following year. Kestragidro signed them.</p>",
            ),
            (
                "image",
                {
                    "seed": 441,
                    "kind": "document",
                    "alt": "Illustration: several typed pages spread on a desk, with lines blacked out and a round stamp.",
                    "caption": "Pages from Kestragidro's annual inspection reports. We have redacted the names of junior staff.",
                    "credit": "Timur Osadchy / Samizdat",
                    "credit_url": "",
                    "licence": "CC0 1.0",
                },
            ),
            (
                "paragraph",
                "<p>Yet the next inspection report, written by the same department, lists the same fractures with the same reference numbers, several of them slightly longer than before. Two former Kestragidro engineers told Samizdat that the work consisted largely of sealing the surface and repainting the visible face of the dam.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "You can make a crack invisible from the road. You cannot make it invisible to the water.",
                    "attribution": "A former Kestragidro engineer",
                },
            ),
            (
                "paragraph",
                "<p>Independent experts who reviewed the documents for us stressed that they do not point to an imminent risk of collapse. “Dams of this type are built with large safety margins,” said Henrik Aalto, a hydraulic engineer at a university in Lindhaven. “But safety margins are there to be preserved, not spent. Six years of deferred maintenance is how you spend them.”</p>",
            ),
            ("subheading", "What residents are told"),
            (
                "paragraph",
                "<p>In Velichany, residents say nobody has told them about the inspection findings. The town's evacuation plan, pinned up in the lobby of the municipal building, was last updated seventeen years ago and refers to a siren system that, according to the local fire brigade, has not been tested in a decade. “In spring, when the reservoir is full, we joke that you can hear the dam creak,” said Olga, who runs a grocery near the river. “I am no longer sure it is a joke.”</p>",
            ),
            (
                "fact_box",
                {
                    "title": "Upper Selva dam in numbers",
                    "body": "<ul><li>Height: 96 metres</li><li>Reservoir: 2.4 billion cubic metres</li><li>Share of national electricity: about 14%</li><li>Repair budget approved four years ago: 1.9 billion talirs</li><li>Fractures flagged as priority in the latest report: 7</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>Kestragidro said in a written response that the dam “is operating normally and is subject to continuous monitoring”, and that the repair programme had been “completed in full in accordance with the contract”. Selvastroi did not respond. The deputy minister's office said he had “no involvement in procurement decisions”. We have shared the inspection reports with the regional emergency services and with Velichany's mayor, and will publish any response in full.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 5
    {
        "slug": "filing-from-1400-kilometres-away-exiled-newsroom",
        "section": "news",
        "language": "en",
        "title": "Filing from 1,400 kilometres away: a year inside an exiled newsroom",
        "standfirst": (
            "Most of Samizdat's staff now work from Lindhaven. Our reporters describe what is lost, and what "
            "is unexpectedly kept, when you cover a country you cannot enter."
        ),
        "authors": ["vera-nakhimova", "anna-belskaya"],
        "topics": ["exile", "press-freedom"],
        "days_ago": 14,
        "image": {
            "seed": 505,
            "kind": "portrait",
            "alt": "Illustration: the silhouette of a person's head and shoulders in front of a coloured disc and a pattern of dots.",
            "caption": "Nine of our colleagues still work inside Kestrava under pseudonyms. We do not publish their photographs.",
            "credit": "Vera Nakhimova / Samizdat",
            "credit_url": "",
            "licence": "Used with permission",
        },
        "body": [
            (
                "paragraph",
                "<p>The morning meeting begins at nine, Orlensk time, which is eight in Lindhaven. Nobody has changed the clock on the newsroom wall. On a whiteboard beside it, someone writes the day's weather in both cities, and the price of a loaf in Kaminsk.</p>",
            ),
            (
                "paragraph",
                "<p>It is a little over a year since most of Samizdat's editorial staff left Kestrava, after the publication was designated an “undesirable organisation” and two of our editors were questioned for eleven hours by the State Security Directorate. Twenty-three people moved. Nine colleagues stayed, for family reasons or by choice, and now work under pseudonyms.</p>",
            ),
            ("subheading", "The distance problem"),
            (
                "paragraph",
                "<p>The hardest part, reporters say, is not the paperwork, the language or the rent. It is the slow erosion of the small details that make journalism about a place feel true. “At first you know everything,” said our economics correspondent Lena Korvin. “Which bus is always late, what the new billboards say, what people are joking about. After six months you realise you are remembering, not knowing.”</p>",
            ),
            (
                "paragraph",
                "<p>To counter that, the newsroom has built what it calls the <i>correspondents' network</i>: around 140 readers in 40 towns who send photographs, prices, overheard conversations and, occasionally, documents. None are paid, and none are asked to take risks. The network's first rule, printed at the top of every brief, is that no story is worth someone's freedom. It was this network that produced our bread index and the first reports of the Vyshgor teachers' strike.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "We did not leave the country. We left the territory. The readers are still there, and so is the story.",
                    "attribution": "Anna Belskaya, editor-in-chief",
                },
            ),
            (
                "paragraph",
                "<p>Exile has also brought a certain clarity. Without advertisers, and without a licence that could be revoked, the newsroom has fewer people it needs to please. Readers' contributions now cover 71% of the budget, up from 38% before the move. The rest comes from a handful of foundations whose grants carry no editorial conditions, and whose names we publish every year.</p>",
            ),
            (
                "paragraph",
                "<p>Some costs never appear in a budget. Three members of staff have not seen their parents in more than a year. One reporter's brother lost his job at a state enterprise shortly after her byline appeared on an investigation. Several colleagues describe a persistent guilt at being safe while their sources are not.</p>",
            ),
            (
                "paragraph",
                "<p>And there is the question every exiled newsroom eventually faces: how long can you remain a local publication from abroad? Belskaya does not pretend to know. “The day we start writing about Kestrava as foreigners, we should stop,” she said. “Until then, the clock stays on Orlensk time.”</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 6
    {
        "slug": "tallovar-opposition-candidates-struck-off-ballot",
        "section": "news",
        "language": "en",
        "title": "Opposition candidates struck off the ballot in 11 of 14 Tallovar districts",
        "standfirst": (
            "Electoral commissions cited signature irregularities, unpaid fines and, in one case, a missing word "
            "in a street address. Only the ruling National Accord will contest every seat."
        ),
        "authors": ["sasha-ilyina", "pavel-drozd"],
        "topics": ["elections", "regions", "courts"],
        "days_ago": 20,
        "image": {
            "seed": 606,
            "kind": "crowd",
            "alt": "Illustration: rows of small rounded figures filling a square in front of low buildings.",
            "caption": "Turnout at Tallovar's last regional election was 34%. Monitors expect it to fall.",
            "credit": "Pavel Drozd / Samizdat",
            "credit_url": "",
            "licence": "CC BY 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>With five weeks to go before regional assembly elections in Tallovar, electoral commissions have removed opposition candidates from the ballot in 11 of the region's 14 districts. In most of the region, voters will now choose between the ruling National Accord and two smaller parties that have voted with it on every major bill for six years.</p>",
            ),
            (
                "paragraph",
                "<p>Samizdat reviewed the commissions' published decisions. In seven districts, candidates were disqualified after handwriting examiners declared more than 5% of their nomination signatures invalid. In two, commissions cited unpaid administrative fines, in one case a parking fine of 1,500 talirs that the candidate says she paid the same afternoon. In District 3, the candidate of the Open Kestrava movement was removed because her form gave her address as “Lesnaya 12” rather than “Lesnaya Street 12”.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "They did not have to beat me. They only had to find a word missing in the wrong place.",
                    "attribution": "Yelena Gavrish, disqualified candidate in District 3",
                },
            ),
            ("subheading", "The signature test"),
            (
                "paragraph",
                "<p>Signature checks have become the main tool for filtering the ballot, election monitors say. Candidates must collect signatures from 3% of a district's voters, and commissions may strike out any signature an examiner considers doubtful. “No campaign in the world could pass this test if the examiner wants it to fail,” said Marat Yusupov of the independent monitoring group Voice of Numbers. “The examiner never meets the voter. Nobody asks the voter.”</p>",
            ),
            (
                "paragraph",
                "<p>In District 7, volunteers for the disqualified candidate Anton Shelest went back to 60 of the people whose signatures had been declared invalid. All 60 confirmed in writing that they had signed. The district court declined to consider the statements, ruling that the deadline for new evidence had passed.</p>",
            ),
            (
                "paragraph",
                "<p>The eleventh district saw no formal disqualification at all: its only opposition candidate withdrew a week after tax inspectors opened an audit of his hardware business. He declined to speak to Samizdat.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "Tallovar regional election",
                    "body": "<ul><li>Polling day: in five weeks</li><li>Seats: 42, across 14 districts</li><li>Districts with an opposition candidate still on the ballot: 3</li><li>Candidates disqualified over signatures: 7</li><li>Appeals upheld by the courts so far: 0 of 10</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>The regional electoral commission said in a statement that all decisions had been “taken in strict accordance with the law” and that candidates had “every opportunity to appeal”. So far, none of the ten appeals lodged with the courts has succeeded.</p>",
            ),
            (
                "paragraph",
                "<p>Turnout at Tallovar's last regional election was 34%. Monitors expect it to be lower this time, though they doubt the official figures will show it. We will cover polling day with the help of readers across the region.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 7
    {
        "slug": "wards-without-doctors-tallovar-hospitals",
        "section": "investigations",
        "language": "en",
        "title": "Wards without doctors: how regional hospitals close without anyone announcing it",
        "standfirst": (
            "No hospital in Tallovar region has officially closed in five years. Staffing records show that a "
            "third of its district hospitals no longer have a single surgeon."
        ),
        "authors": ["marta-kveli", "pavel-drozd"],
        "topics": ["health", "regions"],
        "days_ago": 27,
        "image": {
            "seed": 707,
            "kind": "portrait",
            "alt": "Illustration: a dark head-and-shoulders silhouette with an open collar, in front of a large circle.",
            "caption": "Doctors who spoke to us asked not to be identified. Several have been warned against talking to the press.",
            "credit": "Marta Kveli / Samizdat",
            "credit_url": "",
            "licence": "Used with permission",
        },
        "body": [
            (
                "paragraph",
                "<p>On paper, the Kostrovo district hospital is open. Its sign is lit, its website lists a surgical department, and the regional health ministry counts its 85 beds in the official tally. In practice, the last surgeon left eighteen months ago. Patients who need an operation are driven 140 kilometres to Tallovar, on a road that floods every April.</p>",
            ),
            (
                "paragraph",
                "<p>Kostrovo is not unusual. Using staffing tables published by the regional health ministry, which were quietly removed from its website in January although archived copies survive, Samizdat mapped the specialists employed at each of the region's 21 district hospitals over five years. Seven of them no longer employ a single surgeon. Eleven have no paediatrician. Four have no anaesthetist, which means that even when a visiting surgeon is available, most operations cannot go ahead.</p>",
            ),
            ("subheading", "Closure by attrition"),
            (
                "paragraph",
                "<p>Officials insist that no hospital has been closed, which is true in the narrowest sense. What has happened instead, doctors and former administrators told us, is a slow hollowing-out. Departments lose staff who are not replaced, are then “temporarily suspended”, and are finally merged into a larger hospital elsewhere, while the building stays open for outpatient appointments.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "Nobody signs a closure order. You just stop hiring, and one day you notice that the operating theatre has become a storeroom.",
                    "attribution": "A former chief physician in Tallovar region",
                },
            ),
            (
                "paragraph",
                "<p>Pay is the most obvious reason. A newly qualified doctor in a district hospital earns about 48,000 talirs a month, less than a delivery driver in Orlensk. Flats promised to young doctors under a regional housing programme were, in several districts, never built. And since doctors began to need official permission to take jobs abroad, several told us, the rule has encouraged them to leave sooner rather than wait for it to tighten.</p>",
            ),
            (
                "paragraph",
                "<p>The human cost is harder to measure, but it shows in the data. In districts that lost their last surgeon, the average time between an emergency call and a patient's arrival in an operating theatre rose from 70 minutes to more than three hours, according to ambulance logs shared with us by an employee of the regional emergency service.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "Tallovar's district hospitals",
                    "body": "<ul><li>21 district hospitals, none officially closed</li><li>7 without a surgeon</li><li>11 without a paediatrician</li><li>4 without an anaesthetist</li><li>Staffing tables removed from the ministry's website in January</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>The regional health ministry said it was “actively recruiting” and that patients in remote districts were “guaranteed access to specialised care through the regional medical transport system”. It did not say how many vehicles that system has. A doctor in Kostrovo told us the answer: two.</p>",
            ),
            (
                "paragraph",
                '<p>Our full dataset, with district-by-district tables, is <a href="https://example.org/data/tallovar-hospitals">published here</a>. If you work in a regional hospital and want to tell us what is happening, you can reach us securely through our website.</p>',
            ),
        ],
    },
    # ------------------------------------------------------------------ 8
    {
        "slug": "heating-bills-rise-38-percent-kestragaz",
        "section": "business",
        "language": "en",
        "title": "Heating bills to rise 38% as Kestragaz passes on the cost of lost exports",
        "standfirst": (
            "Households will pay more for gas and district heating from October. The state utility's own "
            "reports suggest it is covering losses abroad, not rising costs at home."
        ),
        "authors": ["lena-korvin"],
        "topics": ["energy", "economy"],
        "days_ago": 33,
        "image": {
            "seed": 808,
            "kind": "chart",
            "alt": "Illustration: a dashboard of bar, line and ring charts on a pale background.",
            "caption": "Kestragaz still publishes quarterly reports for the holders of its foreign bonds.",
            "credit": "Lena Korvin / Samizdat",
            "credit_url": "",
            "licence": "CC BY-ND 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Kestravan households will pay 38% more for gas and district heating from the first of October, the Energy Tariffs Committee announced on Thursday, in the steepest single increase since the current tariff system was introduced. For a typical two-room flat in Orlensk, the winter heating bill will rise from around 4,100 talirs a month to more than 5,600.</p>",
            ),
            (
                "paragraph",
                "<p>The committee justified the rise by pointing to “increased production and transport costs”. But the state gas company's own quarterly reports, which Kestragaz is still required to publish for the holders of its foreign bonds, tell a different story. Domestic production costs rose by 6% over the past year. What collapsed was export revenue, after two foreign buyers cancelled long-term contracts.</p>",
            ),
            ("subheading", "Who pays for the lost contracts"),
            (
                "paragraph",
                "<p>Kestragaz lost roughly a third of its export income last year, according to the reports. At the same time its payments to the state budget, in dividends and a special extraction levy, were increased, leaving a gap that analysts say has to be filled from somewhere. “The tariff rise is almost exactly the size of the hole,” said an energy analyst at a Lindhaven investment bank who follows the company.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "Households are the one customer that cannot leave.",
                    "attribution": "An energy analyst who covers Kestragaz",
                },
            ),
            (
                "paragraph",
                "<p>The government says low-income households will be protected by housing subsidies, which cover utility costs above 15% of family income. But the threshold has not been revised in nine years, and applying requires documents from four separate offices. Last year, according to the Social Ministry's own figures, fewer than half of eligible families received the subsidy.</p>",
            ),
            (
                "paragraph",
                "<p>Industry will be less affected. Large consumers, including the country's aluminium smelter and its fertiliser plants, buy gas under separate contracts whose prices are not public. Two people familiar with those contracts told Samizdat that they were not being revised this year.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "What the rise means",
                    "body": "<ul><li>Gas and district heating tariffs: <b>+38%</b> from 1 October</li><li>Typical Orlensk two-room flat: from about 4,100 to 5,600 talirs a month in winter</li><li>Kestragaz domestic production costs last year: <b>+6%</b></li><li>Kestragaz export revenue last year: about <b>one third lower</b></li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>For pensioners, the increase arrives on top of rising food prices. “In winter I already heat only one room,” said Galina, 71, who lives alone in a five-storey block in Vyshgor. “I do not know how to heat half a room.”</p>",
            ),
            (
                "paragraph",
                "<p>Kestragaz did not respond to questions about the link between export losses and domestic tariffs. The Energy Tariffs Committee said its decision was “based solely on economic justification” and would be reviewed next year.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 9
    {
        "slug": "kvadrat-location-data-security-directorate",
        "section": "investigations",
        "language": "en",
        "title": "Kvadrat gave the security service access to millions of users' locations, internal documents show",
        "standfirst": (
            "Kestrava's most popular app built a dedicated lookup tool for the State Security Directorate, "
            "according to leaked engineering tickets. The company told users it had never received such requests."
        ),
        "authors": ["daniel-holm", "timur-osadchy"],
        "topics": ["technology", "censorship", "courts"],
        "days_ago": 41,
        "image": {
            "seed": 909,
            "kind": "city",
            "alt": "Illustration: layered city blocks at dusk, with rows of lit and dark windows.",
            "caption": "Kvadrat's ride-hailing, payments and messaging app is used by an estimated 19 million Kestravans.",
            "credit": "Daniel Holm / Samizdat",
            "credit_url": "",
            "licence": "CC BY 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Kvadrat, the ride-hailing, payments and messaging app used by an estimated 19 million Kestravans, built and maintained a system that gave the State Security Directorate direct access to users' location histories, according to internal documents reviewed by Samizdat.</p>",
            ),
            (
                "paragraph",
                "<p>The documents, more than 300 engineering tickets, chat logs and design notes spanning four years, were provided by a former Kvadrat employee. We verified them with three other current and former staff and by matching technical details against the app's public code. They describe an internal tool known as <i>Okno</i>, or “window”, which allowed officers to query a user's trips, delivery addresses and the approximate location of their phone whenever the app was open.</p>",
            ),
            ("subheading", "No court order required"),
            (
                "paragraph",
                "<p>Kestravan law allows security agencies to obtain user data with a court order. The documents suggest that Okno bypassed that process. Each query had to be logged with a case number, but according to one design note “the system does not validate the case number against any external register”. An engineer wrote in a ticket that officers were “typing 0000 and it goes through”.</p>",
            ),
            (
                "image",
                {
                    "seed": 942,
                    "kind": "document",
                    "alt": "Illustration: overlapping printed pages with several lines covered by black bars.",
                    "caption": "Excerpts from Kvadrat engineering tickets. We have removed staff names and system identifiers.",
                    "credit": "Daniel Holm / Samizdat",
                    "credit_url": "",
                    "licence": "CC BY 4.0",
                },
            ),
            (
                "pull_quote",
                {
                    "quote": "We told ourselves it was for kidnappings and terrorism. Then I saw a query for everyone who had ordered a taxi to the same address on the night of a protest.",
                    "attribution": "A former Kvadrat engineer",
                },
            ),
            (
                "paragraph",
                "<p>Query logs excerpted in the documents show searches clustered around the dates of street protests in Orlensk and Vyshgor, and around the addresses of at least two independent newsrooms. Samizdat cannot confirm how the data was used. But in two criminal cases against protesters last year, prosecution files seen by us cite “operational information on the defendant's movements” without naming a source.</p>",
            ),
            (
                "paragraph",
                "<p>In its most recent transparency report, Kvadrat stated that it had received “zero requests from government agencies for user location data” and that it “does not share personal data without a lawful court order”.</p>",
            ),
            ("subheading", "What users can do"),
            (
                "paragraph",
                "<p>Security researchers advise concerned users to switch off location permissions for the app except during a ride, to avoid linking its payment function to a main bank card, and to remember that messages sent through Kvadrat are not end-to-end encrypted.</p>",
            ),
            (
                "paragraph",
                "<p>Kvadrat did not respond to detailed questions sent five days before publication. A spokesperson said the company “complies with the legislation of every country in which it operates”. The State Security Directorate does not comment on operational matters.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 10
    {
        "slug": "vyshgor-teachers-strike-third-week",
        "section": "news",
        "language": "en",
        "title": "Vyshgor teachers enter third week of strike over months of unpaid wages",
        "standfirst": (
            "More than 600 teachers at 31 schools have stopped work. City officials say the money is coming; "
            "teachers say they have been hearing that since February."
        ),
        "authors": ["pavel-drozd"],
        "topics": ["education", "labour", "regions"],
        "days_ago": 48,
        "image": {
            "seed": 1010,
            "kind": "crowd",
            "alt": "Illustration: a crowd of rounded figures with a few blank placards held above their heads.",
            "caption": "Striking teachers and parents have gathered in school courtyards every morning since the strike began.",
            "credit": "Pavel Drozd / Samizdat",
            "credit_url": "",
            "licence": "CC BY-SA 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>The bell at School No. 14 in Vyshgor still rings at half past eight every morning. For three weeks, nobody has gone to class. Instead, 52 of the school's 58 teachers gather in the courtyard with thermos flasks and hand-lettered signs, part of a strike that has spread to 31 of the city's 44 schools.</p>",
            ),
            (
                "paragraph",
                "<p>The dispute is about money that is already owed. Teachers in Vyshgor have received only partial salaries since February, when the city's education budget was cut by 18% in what regional officials called an “optimisation”. Most have been paid 60% of their wages, some less. Bonuses for form tutors and for teaching a second shift, which make up a large part of take-home pay, have not been paid at all.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "I teach children about the constitution. It says everyone has the right to be paid for their work. I thought I should try it myself.",
                    "attribution": "Svetlana Mirnaya, history teacher at School No. 14",
                },
            ),
            ("subheading", "An unusual strike"),
            (
                "paragraph",
                "<p>Strikes are legal in Kestrava but rare, and in the public sector rarer still. The state-backed teachers' union has not endorsed this one; the strike committee was formed by teachers themselves in a messaging group that now has more than 1,400 members. Parents, many of them angry at first, have become some of the strikers' most visible supporters, organising rotas to look after younger children and bringing food to the courtyards.</p>",
            ),
            (
                "paragraph",
                "<p>The city administration has alternated between conciliation and pressure. Last week the deputy mayor promised that arrears would be paid “in the coming weeks”, once a transfer arrived from the regional budget. The same day, head teachers were instructed to compile lists of striking staff, and at least nine teachers on temporary contracts were told their contracts would not be renewed.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "The strike in numbers",
                    "body": "<ul><li>31 of Vyshgor's 44 schools affected</li><li>More than 600 teachers on strike</li><li>Partial pay since February</li><li>Average teacher's salary in the region: about 39,000 talirs a month</li><li>9 temporary contracts not renewed since the strike began</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>Teachers in Brenitsa and Kaminsk say they are owed money too, and have been following events in Vyshgor closely. A regional official, speaking on condition of anonymity, told Samizdat that the administration's main concern was “that it does not become an example”.</p>",
            ),
            (
                "paragraph",
                "<p>National television has not mentioned the strike. On Tuesday the regional education minister described it on the radio as “a misunderstanding caused by outside agitators”. The strikers replied with a photograph taken in the courtyard of School No. 14, under a banner that read: “The outside agitators teach your children maths.”</p>",
            ),
            (
                "paragraph",
                "<p>The strike committee says it will continue until all arrears are paid in full and no teacher is penalised. Final exams begin in six weeks.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 11
    {
        "slug": "the-quiet-tenants-basement-theatre-orlensk",
        "section": "news",
        "language": "en",
        "title": "The play the censors didn't read: ‘The Quiet Tenants’ sells out a basement in Orlensk",
        "standfirst": (
            "A ninety-minute drama about neighbours in an apartment block has become the hardest ticket to get "
            "in the capital. Its writer says the secret is that nobody on stage says anything forbidden."
        ),
        "authors": ["vera-nakhimova"],
        "topics": ["culture", "censorship"],
        "days_ago": 56,
        "image": {
            "seed": 1111,
            "kind": "portrait",
            "alt": "Illustration: a stylised figure in silhouette, lit from one side, against a warm dotted backdrop.",
            "caption": "The Quiet Tenants is performed as a private club evening, which lets it avoid script approval.",
            "credit": "Vera Nakhimova / Samizdat",
            "credit_url": "",
            "licence": "CC BY-NC 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>The theatre is a basement under a shoe repair shop on Kanatnaya Street, with 48 folding chairs and a ceiling so low that the tallest actor has learned to deliver his lines with a slight stoop. Since March, every performance of <i>The Quiet Tenants</i> has sold out within minutes of tickets going on sale through a private channel that changes its name every month.</p>",
            ),
            (
                "paragraph",
                "<p>The play, written by the thirty-year-old dramatist Kira Lebed and directed by Gleb Orsha, follows the residents of a single stairwell in a nine-storey block over one winter. A retired engineer repairs radios. A young couple argue about whether to leave the country. A woman on the fourth floor writes letters she never sends. Something happens to the neighbour on the sixth floor, but the play never says what. His door simply stays closed, and the others stop saying his name.</p>",
            ),
            ("subheading", "Saying nothing, precisely"),
            (
                "paragraph",
                "<p>It is hard to say what a censor would object to. There are no politicians in the play, no slogans, no mention of current events. Lebed says that is the point. “Every line could be read aloud in parliament,” she told Samizdat. “What the audience hears is the silence between the lines, and you cannot ban a silence. Not yet.”</p>",
            ),
            (
                "image",
                {
                    "seed": 1142,
                    "kind": "portrait",
                    "alt": "Illustration: a silhouetted figure with a bright halo behind the head, in the style of a theatre poster.",
                    "caption": "The poster for The Quiet Tenants, reworked for Samizdat by the production's designer.",
                    "credit": "Gleb Orsha / Samizdat",
                    "credit_url": "https://example.org/quiet-tenants",
                    "licence": "Used with permission",
                },
            ),
            (
                "paragraph",
                "<p>The production is technically a private club evening, which allows it to avoid the rule, introduced last year, that theatres must submit scripts to the Ministry of Culture in advance. Two state theatres have cancelled productions this season after submitting theirs; a third cut a scene in which a character reads a poem by a writer who now lives abroad.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "We rehearse every scene knowing it might be the last performance. Strangely, it has made the actors better.",
                    "attribution": "Gleb Orsha, director",
                },
            ),
            (
                "paragraph",
                "<p>On the night I went, the audience ranged from students to a woman in her eighties who said she had not been to the theatre for thirty years. At the end, when the sixth-floor door finally opens onto an empty stage, nobody clapped for almost a minute. Then everyone did, for a long time.</p>",
            ),
            (
                "paragraph",
                "<p>Orsha is realistic about how long the run can last. The landlord has twice been visited by fire inspectors, who found nothing wrong and said they would be back. The cast has already agreed on what to do if a performance is stopped halfway: finish it in the street outside, by the light of their phones.</p>",
            ),
            (
                "paragraph",
                "<p>Lebed is working on her next play. She would say only that it is set in a courtroom, and that nobody in it speaks at all.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 12
    {
        "slug": "why-samizdat-will-never-run-ads",
        "section": "opinion",
        "language": "en",
        "title": "Why Samizdat will never run ads, and why that makes us more accountable, not less",
        "standfirst": (
            "Our readers pay for our journalism. That is not a business model; it is an editorial principle, "
            "and it comes with obligations to you."
        ),
        "authors": ["anna-belskaya"],
        "topics": ["press-freedom", "exile"],
        "days_ago": 63,
        "image": {
            "seed": 1212,
            "kind": "city",
            "alt": "Illustration: a night skyline with warm lit windows under a starry sky.",
            "caption": "About 38,000 readers, most of them in Kestrava, fund our work every month.",
            "credit": "Anna Belskaya / Samizdat",
            "credit_url": "",
            "licence": "CC BY 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Every few months someone offers us money. Sometimes it is an advertising network promising to “monetise our audience” inside Kestrava. Sometimes it is a company, usually foreign and occasionally not, that would like to sponsor a section. Once it was a man who said he represented businessmen “who share your values” and who wanted his name on nothing. We have said no to all of them, and we will keep saying no.</p>",
            ),
            (
                "paragraph",
                "<p>This is not purity for its own sake. It is a lesson from the years before we were blocked. Kestravan advertising, like most of the Kestravan economy, runs through a few companies that depend on the state for licences, contracts and the goodwill of tax inspectors. When we published our first investigation into the governor of Brenitsa region, three advertisers withdrew within a week. Nobody told them to. Nobody needed to.</p>",
            ),
            ("subheading", "What you are paying for"),
            (
                "paragraph",
                "<p>Today 71% of our budget comes from readers: about 38,000 people who give an average of 9 euros a month, many through payment routes we cannot describe in public because they would be closed the next day. The rest comes from foundations whose grants carry no editorial conditions. We publish the list every year, with the amount each one gave.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "An advertiser can leave quietly. A reader who leaves, leaves because we failed them, and we want to know why.",
                    "attribution": "Anna Belskaya, editor-in-chief",
                },
            ),
            (
                "paragraph",
                "<p>Reader funding does not make us neutral; no funding does. It changes whom we answer to. An advertiser wants attention, and attention is easiest to buy with outrage, celebrity and fear. A reader who pays every month wants something harder to fake: the sense, at the end of the year, that she understands her country better because of us.</p>",
            ),
            (
                "paragraph",
                "<p>It also obliges us to be accountable in ways advertising-funded media rarely are. That is why our corrections go at the top of articles, not the bottom. It is why our staff list, salary ranges and funders are on the site. And it is why, once a year, we hold an open editorial meeting for supporters. Last year 2,300 people joined online and asked questions for three hours, some of them uncomfortable.</p>",
            ),
            (
                "paragraph",
                "<p>There is a cost. We are smaller than we would like to be. We cannot afford correspondents in every region, and we lose good reporters to better-paid jobs. When a month's contributions dip, we feel it at once.</p>",
            ),
            (
                "paragraph",
                "<p>But there is freedom in it too. Nobody can pull our funding with a phone call. The authorities can block our site, arrest our sources and freeze our accounts inside the country. They cannot make 38,000 people stop caring.</p>",
            ),
            (
                "paragraph",
                '<p>If you already support us, thank you. If you do not, and can, <a href="https://example.org/support">this is where to start</a>. If you cannot, and many of our readers cannot, keep reading and keep sharing. That counts too.</p>',
            ),
        ],
    },
    # ------------------------------------------------------------------ 13 (ru)
    {
        "slug": "kak-chitateli-obkhodyat-blokirovki",
        "section": "news",
        "language": "ru",
        "title": "Как читатели обходят блокировки: пять способов и их риски",
        "standfirst": (
            "Мы спросили читателей внутри страны, как они открывают заблокированные сайты. "
            "Рассказываем, что работает и чем рискует каждый, кто этим пользуется."
        ),
        "authors": ["daniel-holm", "pavel-drozd"],
        "topics": ["censorship", "technology"],
        "days_ago": 70,
        "image": {
            "seed": 1313,
            "kind": "document",
            "alt": "Иллюстрация: несколько листов с машинописным текстом, часть строк закрашена чёрным.",
            "caption": "За неделю читатели прислали нам больше двух тысяч ответов.",
            "credit": "Daniel Holm / Samizdat",
            "credit_url": "",
            "licence": "CC BY-SA 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>После очередной волны блокировок мы попросили читателей в Кестраве рассказать, как они до нас добираются. За неделю пришло больше двух тысяч ответов — от студентов, пенсионеров, врачей и даже от двух сотрудников районных администраций. Мы собрали самые распространённые способы и попросили специалистов по цифровой безопасности оценить, насколько они надёжны.</p>",
            ),
            ("subheading", "Что работает"),
            (
                "paragraph",
                "<p><b>Платные VPN-сервисы</b> остаются самым популярным вариантом: ими пользуется почти половина ответивших. Инспекция связи блокирует их волнами, но крупные сервисы быстро меняют адреса. Главный риск — оплата: карта кестравского банка оставляет след, поэтому многие просят родственников за границей оплатить подписку.</p>",
            ),
            (
                "paragraph",
                "<p><b>Бесплатные расширения для браузера</b> удобны, но именно среди них больше всего подделок. Специалисты советуют не устанавливать ничего по ссылкам из чатов и всегда проверять, кто разработчик.</p>",
            ),
            (
                "paragraph",
                "<p><b>Зеркала</b> — копии нашего сайта по другим адресам — открываются без дополнительных программ. Мы меняем их каждую неделю и публикуем в рассылке. <b>Каналы в мессенджерах</b> блокировать сложнее, чем сайты, поэтому главные материалы мы дублируем и там.</p>",
            ),
            (
                "paragraph",
                "<p>Наконец, <b>рассылка по электронной почте</b> вообще не зависит от блокировок: письмо приходит во «Входящие», как любое другое. Для многих пожилых читателей это единственный способ, который не требует никаких настроек.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "Внук поставил мне программу, но я её боюсь. А письмо от вас приходит само, как газета в почтовый ящик.",
                    "attribution": "Читательница из Каминска, 74 года",
                },
            ),
            ("subheading", "Чем вы рискуете"),
            (
                "paragraph",
                "<p>Пользоваться VPN в Кестраве не запрещено, но реклама таких сервисов с прошлого года считается административным правонарушением. Юристы, с которыми мы говорили, не знают ни одного случая, когда обычного читателя наказали бы только за то, что он открыл заблокированный сайт. Тем не менее госслужащим и учителям они советуют не делать этого с рабочих телефонов и компьютеров.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "Коротко",
                    "body": "<ul><li>Подпишитесь на рассылку — она работает всегда.</li><li>Устанавливайте приложения только из официальных магазинов.</li><li>Не читайте нас с рабочих устройств.</li><li>Если незнакомые люди прислали вам «новый адрес Самиздата», не переходите по ссылке.</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>И последнее: ни один способ не защищает полностью. Лучшая защита — здравый смысл и привычка не делиться лишним. А мы, со своей стороны, продолжим делать всё, чтобы до нас можно было дотянуться.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 14 (ru)
    {
        "slug": "pensiya-i-khleb-odin-den-v-kaminske",
        "section": "business",
        "language": "ru",
        "title": "Пенсия и хлеб: один день в Каминске",
        "standfirst": (
            "Пенсионерка Зинаида Петровна записывает каждую покупку в школьную тетрадь. "
            "Наш корреспондент провёл с ней день и посчитал вместе с ней."
        ),
        "authors": ["pavel-drozd"],
        "topics": ["economy", "regions", "health"],
        "days_ago": 77,
        "image": {
            "seed": 1414,
            "kind": "portrait",
            "alt": "Иллюстрация: силуэт человека на фоне большого цветного круга и точечного узора.",
            "caption": "Зинаида Петровна попросила не публиковать её фотографию и фамилию.",
            "credit": "Pavel Drozd / Samizdat",
            "credit_url": "",
            "licence": "All rights reserved",
        },
        "body": [
            (
                "paragraph",
                "<p>Зинаида Петровна встаёт в шесть утра, хотя торопиться ей некуда. Сорок лет она проработала бухгалтером на каминском заводе металлоконструкций, и привычка считать осталась. На кухонном столе лежит тетрадь в клетку: в ней записана каждая покупка за последние три года.</p>",
            ),
            (
                "paragraph",
                "<p>— Вот, смотрите, — она открывает тетрадь на прошлом октябре. — Буханка — тридцать восемь. А вот сегодня, — палец переезжает на свежую страницу. — Пятьдесят два. За один год.</p>",
            ),
            ("subheading", "Бюджет на месяц"),
            (
                "paragraph",
                "<p>Пенсия Зинаиды Петровны — 6 400 талиров. Почти две тысячи уходят на коммунальные услуги, ещё около тысячи — на лекарства от давления. На еду остаётся меньше трёх с половиной тысяч в месяц. Мясо она покупает раз в месяц, в день пенсии, рыбу — только по праздникам. Хлеб она покупает через день, а половину буханки режет на сухари, «чтобы не пропадало».</p>",
            ),
            (
                "paragraph",
                "<p>«Социальный» хлеб по фиксированной цене, по её словам, привозят в Каминск по вторникам и пятницам, и к десяти утра его уже нет. Мы проверили: в пятницу в 9:40 на полке магазина у автостанции лежали две последние буханки. Очередь за ними состояла из пенсионеров.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "Я всю жизнь считала чужие деньги. Никогда не думала, что буду так считать свои.",
                    "attribution": "Зинаида Петровна, пенсионерка из Каминска",
                },
            ),
            (
                "paragraph",
                "<p>В районной поликлинике терапевт принимает два дня в неделю: постоянного врача нет с весны. Рецепт на льготное лекарство выписывают, но в аптеке его часто не бывает, и тогда приходится покупать за полную цену.</p>",
            ),
            (
                "paragraph",
                "<p>Вечером заходит соседка Валентина. Они пьют чай с сухарями и обсуждают новости из телевизора, которым, признаются обе, давно не верят. «По телевизору инфляция семь процентов, — говорит Валентина. — А в тетради у Зины — тридцать».</p>",
            ),
            (
                "paragraph",
                "<p>Зинаида Петровна не жалуется и просит не делать из неё «несчастную старушку». Просит она о другом: чтобы кто-нибудь в столице открыл её тетрадь и посчитал сам.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 15
    {
        "slug": "farmers-hoard-grain-fixed-prices",
        "section": "business",
        "language": "en",
        "title": "Farmers hoard grain as fixed prices make every sale a loss",
        "standfirst": (
            "A decree meant to keep flour cheap has left silos full and mills short. In the south, farmers say "
            "they will sow less wheat next year, and farm workers are already paying the price."
        ),
        "authors": ["lena-korvin"],
        "topics": ["economy", "labour"],
        "days_ago": 85,
        "image": {
            "seed": 1515,
            "kind": "landscape",
            "alt": "Illustration: layered hills and a river valley under a hazy sky, with small conifers in the foreground.",
            "caption": "The southern farming belt around Dolinsk produces most of Kestrava's wheat.",
            "credit": "Lena Korvin / Samizdat",
            "credit_url": "",
            "licence": "CC0 1.0",
        },
        "body": [
            (
                "paragraph",
                "<p>The grain silos outside Dolinsk, in Kestrava's southern farming belt, are full in a way they have not been at this time of year for a decade. Last year's harvest should have been sold long ago. Much of it is still here, because selling it at the price the state allows would mean selling at a loss.</p>",
            ),
            (
                "paragraph",
                "<p>Since last autumn, a government decree has required wheat producers to sell to licensed domestic mills for no more than 9,800 talirs a tonne. At the same time, export quotas sharply limit how much can be sold abroad, where prices are roughly 40% higher. Farmers say the fixed price no longer covers their costs, which have risen with the price of diesel, fertiliser and imported spare parts.</p>",
            ),
            ("subheading", "Waiting it out"),
            (
                "paragraph",
                "<p>“I can sell today and lose money, or I can wait and hope the decree changes,” said Ruslan Baev, who farms 1,200 hectares near Dolinsk. “Everyone is waiting.” Storage is not free, and grain kept too long can spoil, but for many farmers it is the least bad option.</p>",
            ),
            (
                "paragraph",
                "<p>The result is a paradox. Mills in the north report shortages of wheat even though the country harvested more than it consumes. According to two traders, millers have started paying above the official price through informal side payments, which pushes up the cost of flour, the very thing the decree was meant to prevent.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "The decree did not fix the price of bread. It fixed the price of honesty. Everyone who sells at the official rate loses money.",
                    "attribution": "A grain trader in Dolinsk",
                },
            ),
            (
                "paragraph",
                "<p>The strain is passing down the chain to the people who work the land. Seasonal labourers, many of whom travel south from poorer regions every summer, say they were offered fewer days this year, at lower rates. Baev laid off four of his eleven permanent staff in the spring. “I have known some of them for twenty years,” he said. “I told them to come back if things change.”</p>",
            ),
            (
                "fact_box",
                {
                    "title": "The grain decree",
                    "body": "<ul><li>Maximum domestic price: 9,800 talirs a tonne</li><li>Export price: roughly 40% higher</li><li>Diesel for farm machinery: up 27% in a year</li><li>Farmers planning to sow less wheat next season: 6 in 10, according to a regional association</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>That regional agricultural association surveyed its members in June. Six in ten said they planned to sow less wheat next season and switch to sunflower or rapeseed, which the decree does not cover. If they follow through, economists warn, a shortage that now exists mainly on paper could become real.</p>",
            ),
            (
                "paragraph",
                "<p>The agriculture ministry said the decree had “ensured the stability of food prices” and that it had no plans to revise it. It did not respond to questions about shortages at the mills.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 16
    {
        "slug": "the-courts-have-stopped-pretending",
        "section": "opinion",
        "language": "en",
        "title": "The courts have stopped pretending. We should stop pretending too",
        "standfirst": (
            "For years, Kestrava's judges kept up the appearance of due process in cases against journalists. "
            "That performance is over, and its end tells us something important."
        ),
        "authors": ["sasha-ilyina"],
        "topics": ["courts", "press-freedom"],
        "days_ago": 92,
        "image": {
            "seed": 1616,
            "kind": "document",
            "alt": "Illustration: a stack of typed court papers on a desk, with black bars over several lines and a stamp.",
            "caption": "Indictments in press cases now routinely run to hundreds of pages, most of them reprinted articles.",
            "credit": "Sasha Ilyina / Samizdat",
            "credit_url": "",
            "licence": "Public domain",
        },
        "body": [
            (
                "paragraph",
                "<p>When I started covering trials of journalists, nine years ago, judges still took the trouble to pretend. They listened to defence motions before rejecting them. They called witnesses for both sides. Verdicts took days to write and quoted the law at length. Occasionally, to general astonishment, a charge was dropped or a sentence suspended.</p>",
            ),
            (
                "paragraph",
                "<p>That was never justice. But it was a performance of justice, and performances have rules. The rules gave lawyers something to hold on to and gave reporters something to measure. We could write that a judge had ignored evidence, because the evidence had at least been heard.</p>",
            ),
            ("subheading", "The end of the performance"),
            (
                "paragraph",
                "<p>Over the past year I have watched that performance end. In the <i>Brenitsa Courier</i> trial, a motion to exclude an expert report was rejected in under a minute. In another case, a forty-page verdict was read out forty minutes after closing arguments. In a third, the judge did not look up once while the defendant made her final statement.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "When the state stops bothering to pretend, it is not a sign of strength. It is a sign that it no longer expects anyone to check.",
                    "attribution": "Sasha Ilyina",
                },
            ),
            (
                "paragraph",
                "<p>It is tempting to read this as confidence. I think it is the opposite. A system that performs due process still imagines an audience: foreign observers, a future government, perhaps its own conscience. A system that stops performing has decided that nobody is watching, or that nobody who is watching matters.</p>",
            ),
            (
                "paragraph",
                "<p>Which is why the rest of us must stop pretending too. We should stop writing about these cases as if the outcome were uncertain, when it is not. We should stop calling a nine-minute hearing a “trial” without explaining what it lacked. And we should stop treating the sentence as the end of the story, when for the people sentenced it is the beginning of a much longer one.</p>",
            ),
            (
                "paragraph",
                "<p>Readers sometimes ask why we keep covering trials whose verdicts are known in advance. The answer is that the verdict is not what we are recording. We are recording the names of judges and prosecutors, the text of expert reports, the exact words spoken from the defendants' cage. One day someone will need that record, and the people who produced it will say they were only following procedure.</p>",
            ),
            ("paragraph", "<p>Procedure is exactly what we are writing down. Every minute of it.</p>"),
        ],
    },
    # ------------------------------------------------------------------ 17
    {
        "slug": "insulin-shortages-four-regions-import-rules",
        "section": "news",
        "language": "en",
        "title": "Insulin shortages reported in four regions after import rules change",
        "standfirst": (
            "Pharmacies in Tallovar, Brenitsa, Kaminsk and the southern districts say deliveries of long-acting "
            "insulin have stopped. The health ministry says there is no shortage."
        ),
        "authors": ["marta-kveli"],
        "topics": ["health", "economy"],
        "days_ago": 99,
        "image": {
            "seed": 1717,
            "kind": "chart",
            "alt": "Illustration: a bar chart with two highlighted bars and a line with round markers, beside a ring chart.",
            "caption": "More than 200 readers answered our callout about medicine shortages in the first week.",
            "credit": "Marta Kveli / Samizdat",
            "credit_url": "",
            "licence": "CC BY-NC 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Patients with diabetes in at least four Kestravan regions have been unable to fill prescriptions for long-acting insulin for up to three weeks, according to pharmacists, doctors and more than 200 readers who responded to a Samizdat callout.</p>",
            ),
            (
                "paragraph",
                "<p>The shortages follow a change in import rules that took effect at the start of the quarter. Under the new rules, state hospitals and subsidised pharmacies may buy a foreign medicine that has a domestic equivalent only if it is at least 30% cheaper. Kestrava has one insulin manufacturer, which makes short-acting insulin but, so far, only small quantities of the long-acting kind.</p>",
            ),
            ("subheading", "Switching over the counter"),
            (
                "paragraph",
                "<p>Doctors say patients are being switched to alternatives without proper monitoring. “Switching insulin is not like switching brands of tea,” said an endocrinologist in Brenitsa, who asked not to be named because hospital staff have been told not to speak to the press. “The doses are different. You need closer glucose checks for several weeks. Our patients are being switched across a pharmacy counter.”</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "Switching insulin is not like switching brands of tea.",
                    "attribution": "An endocrinologist in Brenitsa",
                },
            ),
            (
                "paragraph",
                "<p>Readers described travelling between towns to find pharmacies with stock, buying insulin at full price from commercial pharmacies, where a month's supply can cost more than 8,000 talirs, and, in several cases, rationing doses. Two parents of children with type 1 diabetes told us they had asked relatives abroad to send insulin by post, which is technically illegal without an import licence.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "If you cannot get your insulin",
                    "body": '<ul><li>Do not reduce your dose without medical advice.</li><li>Ask the pharmacy to confirm in writing that it could not fill your prescription: you will need this for a complaint.</li><li>Complaints go to the regional health inspectorate; we have published <a href="https://example.org/insulin-complaint">a template</a>.</li><li>Tell us what is happening where you live.</li></ul>',
                },
            ),
            (
                "paragraph",
                "<p>The health ministry said in a statement that “the supply of insulin to the population is fully ensured” and that reports of shortages reflected “isolated logistical delays”. Its own procurement portal, however, shows that three tenders for long-acting insulin in the second quarter attracted no bids at all.</p>",
            ),
            (
                "paragraph",
                "<p>The domestic manufacturer, Biofarm-Kestrava, said it planned to triple production of long-acting insulin by the end of next year. Patient groups point out that the new rules took effect immediately.</p>",
            ),
            (
                "paragraph",
                "<p>We are still collecting reports, and we update our map of pharmacies reporting shortages every day.</p>",
            ),
        ],
    },
    # ------------------------------------------------------------------ 18
    {
        "slug": "the-phantom-voters-of-district-9",
        "section": "investigations",
        "language": "en",
        "title": "The phantom voters of District 9",
        "standfirst": (
            "At the last parliamentary election, 1,140 people were registered to vote at a single address in "
            "Orlensk: a four-storey building that houses a printing works. We went looking for them."
        ),
        "authors": ["marta-kveli", "timur-osadchy"],
        "topics": ["elections", "technology"],
        "days_ago": 106,
        "image": {
            "seed": 1818,
            "kind": "city",
            "alt": "Illustration: industrial blocks and taller buildings in silhouette against an evening sky.",
            "caption": "Orlensk's District 9 is mostly warehouses, workshops and offices. Few people live there.",
            "credit": "Marta Kveli / Samizdat",
            "credit_url": "",
            "licence": "CC BY-SA 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Zavodskaya Street 17 is a grey four-storey building in Orlensk's industrial District 9. It houses a printing works, a warehouse for office furniture and, on the top floor, the offices of a cleaning company. Nobody lives there. Yet according to the voter register used at the last parliamentary election, 1,140 people did.</p>",
            ),
            (
                "paragraph",
                "<p>We found Zavodskaya 17 while analysing a copy of the Orlensk register that leaked after the election and has since circulated among election monitors. Using a short script, we counted registered voters at every address and compared the results with the city's building registry. Most addresses look as you would expect. A few dozen do not.</p>",
            ),
            ("subheading", "Addresses with too many people"),
            (
                "paragraph",
                "<p>Across the capital we identified 38 non-residential addresses, among them warehouses, offices, a disused kindergarten and a car wash, each with more than 200 registered voters. Together they account for about 21,000 names. Almost all are in three districts where the ruling National Accord's margin of victory was unusually large.</p>",
            ),
            (
                "image",
                {
                    "seed": 1843,
                    "kind": "document",
                    "alt": "Illustration: pages of a printed register fanned out on a desk, some lines covered by black bars.",
                    "caption": "Pages from the leaked register. We have blacked out the personal details of everyone listed.",
                    "credit": "Marta Kveli / Samizdat",
                    "credit_url": "",
                    "licence": "CC BY 4.0",
                },
            ),
            (
                "paragraph",
                "<p>We then tried to find the people listed at Zavodskaya 17. Of 40 names we searched for in public records, 26 could be traced to real people living elsewhere, most of them employees of state companies. Several told us their employers had asked them to vote “at the workplace polling station”, and they had done so. Fourteen names could not be traced at all.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "My manager gave us a list and a bus. I did not know I was registered at a printing works. I have never been inside a printing works.",
                    "attribution": "A railway company employee listed at Zavodskaya 17",
                },
            ),
            (
                "paragraph",
                "<p>Registering to vote at a workplace is not in itself illegal in Kestrava, if the employee asks for it. But election law requires that voters then be removed from the register at their home address, and in at least nine cases the people we traced appeared at both. That would have allowed them, or someone using their names, to vote twice.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "How we did this",
                    "body": "<ol><li>Counted voters per address in the leaked register.</li><li>Matched addresses against the public building registry.</li><li>Flagged non-residential addresses with more than 200 voters.</li><li>Traced a sample of names through public records and by phone.</li><li>Checked every finding with at least two sources.</li></ol>",
                },
            ),
            (
                "paragraph",
                "<p>The Central Election Commission said the register was “maintained in accordance with the law” and that any irregularities “should have been reported to polling station commissions on election day”. Independent observers were barred from two of the District 9 polling stations that day.</p>",
            ),
            (
                "paragraph",
                '<p>Our methodology and anonymised data are <a href="https://example.org/data/district-9">published here</a>, so that others can check our work.</p>',
            ),
        ],
    },
    # ------------------------------------------------------------------ 19
    {
        "slug": "to-the-librarian-who-hid-the-books",
        "section": "opinion",
        "language": "en",
        "title": "To the librarian who hid the books",
        "standfirst": (
            "Schools were told to remove forty titles from their shelves by the end of term. One librarian in "
            "Brenitsa found another way. An open letter."
        ),
        "authors": ["vera-nakhimova"],
        "topics": ["education", "censorship", "culture"],
        "days_ago": 113,
        "image": {
            "seed": 1919,
            "kind": "document",
            "alt": "Illustration: loose typed sheets scattered on a wooden desk, some with lines blacked out.",
            "caption": "The Ministry of Education's list reached every school in the country in February.",
            "credit": "Vera Nakhimova / Samizdat",
            "credit_url": "",
            "licence": "CC BY-ND 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>Dear Ludmila Arkadyevna, you do not know me, and you asked that your name not be printed, so I have changed it. But I heard what you did, and I wanted to write it down before the story becomes a rumour, and the rumour becomes something nobody can prove.</p>",
            ),
            (
                "paragraph",
                "<p>In February every school in Kestrava received a list from the Ministry of Education: forty books to be removed from libraries “for review”. Some choices were predictable: memoirs by writers now in exile, a history of the last thirty years, two novels about the secret police. Others were baffling: a picture book about a rabbit who leaves home, a collection of love poems, a chemistry textbook whose author had once signed an open letter.</p>",
            ),
            ("subheading", "What you did instead"),
            (
                "paragraph",
                "<p>Head teachers were asked to confirm in writing that the books had been removed. Yours did, truthfully. The books were removed from the shelves. You took them down one by one, put them in a box marked “damaged stock awaiting repair”, and then you started a repair club.</p>",
            ),
            (
                "paragraph",
                "<p>Every Thursday after lessons, I am told, a dozen pupils come to the library to learn how to rebind a spine, reattach a loose cover and clean a stained page. The damaged stock is their practice material. They handle each book carefully and, since someone has to check that the pages are in the right order, they read it. The repairs are very slow. Some books have been under repair since February.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "It is a library. My job is to look after the books. I am looking after them.",
                    "attribution": "A school librarian in Brenitsa",
                },
            ),
            (
                "paragraph",
                "<p>I know what you would say if anyone asked: that you broke no rule, that damaged books cannot be lent, that it is only a craft club. I also know that none of this will protect you if someone decides it should not. You know that better than I do. You chose anyway.</p>",
            ),
            (
                "paragraph",
                "<p>Around the country, teachers have been asked to report pupils' social media posts, to read out letters of support for the government, to stop mentioning certain names. Most comply, because they have families and mortgages and no choice worth the name, and those of us writing from safety have no right to judge them. But when someone finds a way to keep a door open, quietly, legally, with glue and thread, the rest of us should notice.</p>",
            ),
            (
                "paragraph",
                "<p>Your pupils will grow up. Some will remember nothing of it but the smell of glue. But some will remember that when the list arrived, an adult they trusted looked at it and decided that books were worth repairing.</p>",
            ),
            ("paragraph", "<p>With gratitude, and with the hope that your repairs take a very long time.</p>"),
        ],
    },
    # ------------------------------------------------------------------ 20
    {
        "slug": "selva-river-fish-kill-residents-film",
        "section": "news",
        "language": "en",
        "title": "Thousands of dead fish on the Selva: residents film what officials won't explain",
        "standfirst": (
            "Videos from villages below Velichany show a river surface covered with dead fish. "
            "The regional environment agency says water quality is “within norms”."
        ),
        "authors": ["timur-osadchy"],
        "topics": ["environment", "health"],
        "days_ago": 120,
        "image": {
            "seed": 2020,
            "kind": "landscape",
            "alt": "Illustration: a river flowing out of a dammed valley between layered hills towards the viewer.",
            "caption": "The affected stretch of the Selva runs for about 30 kilometres below Velichany.",
            "credit": "Timur Osadchy / Samizdat",
            "credit_url": "",
            "licence": "CC BY 4.0",
        },
        "body": [
            (
                "paragraph",
                "<p>The first videos appeared in a village chat group on a Sunday morning: a bend of the Selva river a few kilometres below Velichany, its surface silver with dead fish. By the afternoon, residents of three more villages had posted similar footage. By Monday the fish had begun to rot, and the smell, one resident told us, “reached the bus stop”.</p>",
            ),
            (
                "paragraph",
                "<p>Samizdat has reviewed 47 videos and photographs sent by residents and matched them to locations along a 30-kilometre stretch of the river. They show dead bream, roach, pike and catfish, some more than a metre long. Local fishermen say they have never seen anything like it, not even in the drought summer six years ago.</p>",
            ),
            (
                "image",
                {
                    "seed": 2051,
                    "kind": "landscape",
                    "alt": "Illustration: a river valley with hills on both sides and a pale sun low in the sky.",
                    "caption": "A reader's sketch of the river bend where the first dead fish were filmed, redrawn by Samizdat.",
                    "credit": "Samizdat correspondents' network",
                    "credit_url": "",
                    "licence": "Used with permission",
                },
            ),
            ("subheading", "Two explanations"),
            (
                "paragraph",
                "<p>The regional environment agency took water samples on Tuesday, two days after the first reports. On Thursday it said all indicators were “within permissible norms” and suggested that hot weather had reduced oxygen levels in the water. It has not published the test results.</p>",
            ),
            (
                "paragraph",
                "<p>Residents and two independent specialists we consulted doubt that explanation. The weather that week was mild, with daytime temperatures around 22 degrees, and the fish died abruptly, apparently in a single night. “Oxygen depletion caused by heat is gradual,” said Alina Brusova, a freshwater ecologist who used to work for the agency. “This looks like a discharge.”</p>",
            ),
            (
                "paragraph",
                "<p>Upstream of the first affected village is the Velichany fertiliser plant, owned by a company with close ties to the regional administration. Residents say the water near the plant's outflow had a “chemical smell” on the Saturday night. The plant's management said there had been “no abnormal discharges” and that its treatment facilities were working normally.</p>",
            ),
            (
                "pull_quote",
                {
                    "quote": "My grandchildren swim here. I want someone to tell me whether they can swim here next summer. That is all.",
                    "attribution": "Nikolai, a resident of Zabereg village",
                },
            ),
            (
                "paragraph",
                "<p>Some residents took their own samples in clean bottles and sent them to a private laboratory in Orlensk. The laboratory first agreed to test them, then sent them back unopened, citing “a scheduling issue”. The samples are now in a freezer in Zabereg, waiting for a laboratory willing to take them.</p>",
            ),
            (
                "fact_box",
                {
                    "title": "What we know",
                    "body": "<ul><li>First reports: Sunday morning</li><li>Affected stretch: about 30 km below Velichany</li><li>Official samples taken: Tuesday, two days later</li><li>Official results published: none</li><li>Official explanation: low oxygen caused by heat</li></ul>",
                },
            ),
            (
                "paragraph",
                "<p>We have asked the environment agency to publish its results in full, and we are working with residents to find an independent laboratory. If you live along the Selva and have noticed changes in the river, please write to us.</p>",
            ),
        ],
    },
]

# A story renamed after it was published: its first address redirects to the story (and to it on every mirror).
MOVED_STORY = {
    "slug": "inspectorate-blocks-43-more-vpn-services",
    "old_path": "/news/inspectorate-blocks-vpn-services/",
}
