"""Demo content for Newsroom, written by us. Used by `manage.py demo_content`."""

from datetime import timedelta

CATEGORIES = [
    ("Policy & Regulation", "policy-regulation", "Lawmakers, regulators and the rules they write."),
    (
        "Web3 & Enterprise",
        "web3-enterprise",
        "How companies put shared ledgers and tokens to work.",
    ),
    ("Markets", "markets", "Prices, flows and the people who move them."),
    ("Technology", "technology", "Protocols, products and the engineering behind them."),
    ("Culture", "culture", "Communities, creators and the ideas that travel between them."),
]

AUTHORS = [
    ("Ines Marlowe", "ines-marlowe", "Covers regulators on three continents from Lisbon."),
    (
        "Tomasz Reyes",
        "tomasz-reyes",
        "Writes about enterprise software and the companies that buy it.",
    ),
    ("Priya Okafor", "priya-okafor", "Reports on markets, payments and central banks."),
]

PHOTOGRAPHERS = ["Lena Sato", "Marco Ibsen", "Ada Whitfield", "Jonah Mbeki", "Rosa Lindqvist"]

# (title, summary, category slug, label, tags)
ARTICLES = [
    (
        "Harbor city opens a sandbox for tokenized shipping invoices",
        "Port authorities will let a dozen freight firms settle invoices on a shared ledger for a year, "
        "with a regulator watching every transaction.",
        "web3-enterprise",
        "Top",
        ["tokenization", "logistics", "sandbox", "invoices"],
    ),
    (
        "Finance committee sets a spring deadline for stablecoin rules",
        "Lawmakers want reserve, audit and redemption standards written before the summer recess.",
        "policy-regulation",
        "Breaking",
        ["stablecoins", "legislation", "reserves"],
    ),
    (
        "Why regional banks are quietly testing shared settlement ledgers",
        "Three mid-sized lenders describe pilots that cut overnight settlement to minutes, and the "
        "paperwork that still slows them down.",
        "web3-enterprise",
        "Analysis",
        ["banking", "settlement", "pilots", "ledgers"],
    ),
    (
        "Trading volumes dip as holiday liquidity thins",
        "Spot and derivatives desks report their quietest week since late summer, with spreads widening "
        "on smaller venues.",
        "markets",
        "",
        ["trading", "liquidity", "derivatives"],
    ),
    (
        "Open-source wallet adds passkeys and drops seed-phrase setup",
        "The project says new users can now recover an account with a device they already own, "
        "and explains what that trades away.",
        "technology",
        "",
        ["wallets", "security", "open-source", "passkeys"],
    ),
    (
        "Data protection board asks how ledgers can honor deletion requests",
        "A consultation paper asks firms to explain how records written to append-only systems "
        "can be erased when a customer asks.",
        "policy-regulation",
        "",
        ["privacy", "data-protection", "ledgers", "consultation"],
    ),
    (
        "A museum puts its print archive on a public registry",
        "Curators say provenance records for four thousand prints are now searchable by anyone, "
        "with no tokens for sale.",
        "culture",
        "",
        ["museums", "provenance", "archives"],
    ),
    (
        "Payments startup wins a license to issue digital vouchers",
        "The approval lets the firm sell prepaid vouchers redeemable at partner shops, "
        "under limits the regulator set on each balance.",
        "policy-regulation",
        "",
        ["payments", "licensing", "vouchers"],
    ),
    (
        "Energy cooperative uses a ledger to trade rooftop solar credits",
        "Two hundred households now sell surplus power to neighbors, settling every fifteen minutes.",
        "web3-enterprise",
        "",
        ["energy", "cooperatives", "settlement", "pilots"],
    ),
    (
        "Treasury yields and token prices move in step, for now",
        "Analysts see a tighter link between rate expectations and digital asset prices "
        "than at any time last year.",
        "markets",
        "Analysis",
        ["rates", "macro", "trading"],
    ),
    (
        "Developers agree on a smaller, faster block format",
        "After months of debate, client teams settle on a format that halves the data nodes keep.",
        "technology",
        "",
        ["protocols", "scaling", "open-source"],
    ),
    (
        "Insurers draft a common claims ledger after a storm season",
        "Eight insurers want claims data they can all read, to stop paying the same loss twice.",
        "web3-enterprise",
        "",
        ["insurance", "ledgers", "pilots"],
    ),
    (
        "Court rules that a software wallet is not a custodian",
        "Judges said code that never holds keys on a company server cannot be regulated "
        "like a bank vault.",
        "policy-regulation",
        "",
        ["courts", "custody", "wallets"],
    ),
    (
        "Market makers return to smaller exchanges",
        "Better fee terms and steadier volumes bring liquidity providers back to venues they left last year.",
        "markets",
        "",
        ["liquidity", "exchanges", "trading"],
    ),
    (
        "A city library lends hardware keys like books",
        "Patrons can borrow a security key for two weeks along with a printed guide to using it.",
        "culture",
        "",
        ["libraries", "security", "education"],
    ),
    (
        "Chip makers pitch secure enclaves for ledger nodes",
        "Vendors say isolated hardware can protect signing keys in data centers; auditors want proof.",
        "technology",
        "",
        ["hardware", "security", "nodes"],
    ),
    (
        "Tax agency publishes a plain-language guide to digital assets",
        "The twelve-page guide walks through gifts, swaps and small payments with worked examples.",
        "policy-regulation",
        "",
        ["tax", "guidance", "education"],
    ),
    (
        "Farm co-ops track grain quality from silo to mill",
        "Growers record moisture and protein readings at every hand-off, and buyers pay faster for it.",
        "web3-enterprise",
        "",
        ["agriculture", "supply-chain", "pilots"],
    ),
    (
        "Options traders price in a quiet quarter",
        "Implied volatility has fallen to its lowest level in eighteen months.",
        "markets",
        "",
        ["derivatives", "volatility", "trading"],
    ),
    (
        "Independent musicians split royalties with shared contracts",
        "A collective of forty artists pays collaborators automatically each time a track is licensed.",
        "culture",
        "",
        ["music", "royalties", "creators"],
    ),
    (
        "Browser makers test built-in support for verifiable credentials",
        "Two browsers ship experimental settings that let sites ask for a signed proof of age "
        "without seeing a birth date.",
        "technology",
        "",
        ["identity", "credentials", "privacy"],
    ),
    (
        "Central bank publishes results of its retail payments trial",
        "The report finds offline payments worked in most shops but warns about lost-device recovery.",
        "policy-regulation",
        "Analysis",
        ["central-banks", "payments", "pilots"],
    ),
    (
        "Logistics giant moves customs paperwork onto a shared system",
        "Forwarders and border agencies will see the same documents, cutting clearance times at two ports.",
        "web3-enterprise",
        "",
        ["logistics", "customs", "supply-chain"],
    ),
    (
        "Fund managers add tokenized bond funds to cash sleeves",
        "Three asset managers hold short-dated tokenized funds alongside money-market shares.",
        "markets",
        "",
        ["tokenization", "bonds", "funds"],
    ),
]

DRAFT = (
    "Unannounced merger talks between two exchanges",
    "An embargoed story that must never appear on the public site.",
    "markets",
    ["embargoed", "mergers"],
)
SCHEDULED = (
    "Regulators to unveil licensing regime next week",
    "A scheduled story that goes live on its own at its publication time.",
    "policy-regulation",
    ["licensing", "scheduled-story"],
)

EXTERNAL_LINKS = [
    ("https://www.djangoproject.com/", "The web framework behind this newsroom"),
    ("https://www.python.org/", "The language this newsroom is written in"),
]

PARAGRAPHS = [
    "The plan took shape over several months of meetings between the people who would have to use it "
    "every day and the people who would have to explain it to an auditor. Both sides say the result "
    "is narrower than the first draft, and better for it.",
    "Supporters argue that a shared record removes the weekly reconciliation that eats whole "
    "afternoons. Critics answer that the hard part was never the spreadsheet: it was agreeing on who "
    "is responsible when two records disagree.",
    "Officials were careful to describe the effort as a test. Participants can leave at any time, "
    "the rules will be reviewed after six months, and nothing in the arrangement changes existing "
    "consumer protections.",
    "For smaller firms, the cost of joining matters more than the technology. Several said they would "
    "wait for a second round, once the larger participants have found the problems.",
    "Data from the first weeks is encouraging but thin. The numbers cover a few hundred transactions, "
    "and the people running the project say it is too early to claim savings.",
    "What happens next depends on the review. If the results hold, the organizers want to open the "
    "program to more participants and publish the technical specification in full.",
]
SUBHEADINGS = ["How it works", "Who is taking part", "The open questions", "What comes next"]
QUOTES = [
    "We wanted something boring enough that nobody would notice it working.",
    "The paperwork did not disappear. It just moved to the start of the process.",
    "If it saves us one afternoon a week, it pays for itself.",
]


def article_body(index: int) -> str:
    """An intro, then four subheaded sections drawn from the paragraphs above."""
    paragraph = [PARAGRAPHS[(index + n) % len(PARAGRAPHS)] for n in range(len(PARAGRAPHS))]
    parts = [f"<p>{paragraph[0]}</p>"]
    parts += [f"<h2>{SUBHEADINGS[0]}</h2>", f"<p>{paragraph[1]}</p>", f"<p>{paragraph[2]}</p>"]
    parts += [f"<h2>{SUBHEADINGS[1]}</h2>", f"<p>{paragraph[3]}</p>"]
    parts += [f"<blockquote><p>{QUOTES[index % len(QUOTES)]}</p></blockquote>"]
    parts += [f"<h2>{SUBHEADINGS[2]}</h2>", f"<p>{paragraph[4]}</p>"]
    parts += [f"<h2>{SUBHEADINGS[3]}</h2>", f"<p>{paragraph[5]}</p>"]
    return "\n".join(parts)


GENERATED_SUBJECTS = [
    "Regulators",
    "Exchanges",
    "Banks",
    "Developers",
    "Insurers",
    "Co-ops",
    "Startups",
    "Museums",
    "Traders",
    "Ports",
]
GENERATED_VERBS = ["weigh", "test", "adopt", "question", "expand", "pause", "publish", "revise"]
GENERATED_OBJECTS = [
    "shared ledgers",
    "new disclosure rules",
    "settlement pilots",
    "custody standards",
    "open protocols",
    "payment trials",
    "token registries",
    "audit tools",
]
GENERATED_TAGS = [
    "ledgers",
    "pilots",
    "payments",
    "trading",
    "security",
    "privacy",
    "tokenization",
    "settlement",
    "open-source",
    "liquidity",
    "custody",
    "identity",
]

# The newsroom's own tools, shown by demo_content: notes on a live article, live coverage, and
# a piece under embargo (hidden from readers and from keys without the embargoed-copy permission).
CORRECTED_ARTICLE_INDEX = 1
NOTES = [
    (
        "correction",
        "An earlier version of this article gave the pilot's length as six months. "
        "It runs for <em>nine</em> months.",
        timedelta(hours=1, minutes=40),
    ),
    (
        "update",
        "This article was updated with the regulator's statement issued in the afternoon.",
        timedelta(minutes=50),
    ),
]

LIVE = (
    "The settlement network's first day of trading, as it happens",
    "Follow the first day on the new settlement network as banks, brokers and the regulator "
    "report how it went, as it happens.",
    "markets",
    ["settlement", "live-coverage"],
)
# (minutes after the coverage started, key point?, text)
LIVE_ENTRIES = [
    (
        0,
        False,
        "Good morning. The network opens for its first full day in a few minutes; we will follow it here until the close.",
    ),
    (
        12,
        True,
        "<strong>The first trade settled in under a second</strong>, the operator says: a transfer of short-dated bonds between two member banks.",
    ),
    (
        25,
        False,
        "Brokers on the floor describe a quiet start. Most members are sending small test trades before moving real volume.",
    ),
    (
        38,
        False,
        "The regulator's market team is watching from the operator's control room, a spokesperson confirms.",
    ),
    (
        51,
        False,
        "Volumes are picking up: the operator's public dashboard shows several hundred settlements in the first hour.",
    ),
    (
        64,
        True,
        "<strong>One member bank paused its connection</strong> after a configuration error on its side; the network itself kept running.",
    ),
    (
        77,
        False,
        "The paused bank says it expects to reconnect before noon after re-checking its settings.",
    ),
    (
        90,
        False,
        "Analysts note that the real test comes at month end, when settlement volumes usually triple.",
    ),
    (
        103,
        False,
        "The paused bank is back online and has settled its backlog, according to the operator.",
    ),
    (
        116,
        False,
        "Trade associations will publish a joint note on the first day's experience next week.",
    ),
    (
        129,
        False,
        "Over lunch, traffic has settled into a steady rhythm with no reported failures since the morning's pause.",
    ),
    (142, False, "We will post the afternoon's figures when the operator releases them."),
]

EMBARGOED = (
    "Central bank to publish its digital currency findings",
    "The findings of the central bank's two-year study are under embargo until their release.",
    "policy-regulation",
    ["digital-currency", "embargo"],
)
