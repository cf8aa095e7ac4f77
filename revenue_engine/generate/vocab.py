"""Fixed vocabularies and the demo company's hidden dynamics (probabilities, medians).

Everything the generator draws from lives here, so the story the data tells can be read in
one place: who the true ICP is, which channels bring which leads, how each fit tier converts,
how long it takes to close and how often it churns.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# --- Firmographics and the hidden ICP -------------------------------------------------------
INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Government",
    "Media",
    "Logistics",
    "Hospitality",
)
FIT_INDUSTRY_COUNT = 3  # the first three industries are the true ICP
FIT_INDUSTRY_WEIGHTS = np.array([0.45, 0.30, 0.25])
OTHER_INDUSTRY_WEIGHTS = np.array([0.22, 0.20, 0.14, 0.12, 0.10, 0.12, 0.10])
# revenue per employee (USD) by industry, median
REVENUE_PER_EMPLOYEE = np.array(
    [260_000, 420_000, 190_000, 230_000, 170_000, 90_000, 120_000, 210_000, 200_000, 80_000],
    dtype=np.float64,
)
FIT_EMPLOYEES = (200, 5000)

COUNTRIES = (
    "US", "GB", "DE", "CA", "NL", "AU",
    "FR", "IN", "BR", "ES", "JP", "MX", "SG", "IT", "SE", "ZA", "IE", "PL",
)  # fmt: skip
FIT_COUNTRY_COUNT = 6  # the first six countries are the true ICP
FIT_COUNTRY_WEIGHTS = np.array([0.55, 0.13, 0.10, 0.09, 0.06, 0.07])
OTHER_COUNTRY_WEIGHTS = np.array(
    [0.14, 0.16, 0.10, 0.09, 0.07, 0.07, 0.06, 0.07, 0.05, 0.05, 0.08, 0.06]
)
PHONE_PREFIX = (
    "+1", "+44", "+49", "+1", "+31", "+61",
    "+33", "+91", "+55", "+34", "+81", "+52", "+65", "+39", "+46", "+27", "+353", "+48",
)  # fmt: skip

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")
CURRENCY_START_RATE = np.array([1.0, 1.08, 1.27, 0.735, 0.655])  # 1 unit = rate USD
# deal currency by country (index into CURRENCIES)
COUNTRY_CURRENCY = np.array([0, 2, 1, 3, 1, 4, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0], dtype=np.int8)

# --- Lead sources and their fit mix -----------------------------------------------------------
LEAD_SOURCES = (
    "Google Ads",
    "LinkedIn Ads",
    "Facebook Ads",
    "Organic Search",
    "Website Direct",
    "Webinar",
    "Trade Show",
    "Referral",
    "Partner",
    "Outbound Prospecting",
)
SRC_GOOGLE, SRC_LINKEDIN, SRC_FACEBOOK = 0, 1, 2
SRC_ORGANIC, SRC_WEBSITE, SRC_WEBINAR, SRC_TRADESHOW = 3, 4, 5, 6
SRC_REFERRAL, SRC_PARTNER, SRC_OUTBOUND = 7, 8, 9
PAID_SOURCES = (SRC_GOOGLE, SRC_LINKEDIN, SRC_FACEBOOK)
# P(tier) per source, tiers: 0 = true fit (3 of 3 criteria), 1 = partial (2), 2 = poor (<= 1)
SOURCE_TIER_PROBS = np.array(
    [
        [0.12, 0.38, 0.50],  # Google Ads: volume, mixed quality
        [0.30, 0.45, 0.25],  # LinkedIn Ads: targeted by firmographics
        [0.05, 0.30, 0.65],  # Facebook Ads: cheap volume, mostly poor fit
        [0.18, 0.42, 0.40],  # Organic Search
        [0.20, 0.42, 0.38],  # Website Direct
        [0.25, 0.45, 0.30],  # Webinar
        [0.28, 0.42, 0.30],  # Trade Show
        [0.45, 0.40, 0.15],  # Referral
        [0.42, 0.40, 0.18],  # Partner
        [0.55, 0.35, 0.10],  # Outbound Prospecting: reps pick ICP accounts
    ]
)
# engagement bonus on the marketing lead score by source
SOURCE_SCORE_BONUS = np.array([2.0, 4.0, -3.0, 3.0, 6.0, 7.0, 3.0, 6.0, 4.0, -4.0])
# share of non-paid lead volume (paid volume comes from the ad campaigns below)
NONPAID_SOURCE_WEIGHT = {
    SRC_ORGANIC: 0.15,
    SRC_WEBSITE: 0.10,
    SRC_WEBINAR: 0.08,
    SRC_TRADESHOW: 0.05,
    SRC_REFERRAL: 0.06,
    SRC_PARTNER: 0.05,
    SRC_OUTBOUND: 0.10,
}
NONPAID_GROWTH = {  # relative volume at the end of the window vs the start
    SRC_ORGANIC: 1.5,
    SRC_WEBSITE: 1.3,
    SRC_WEBINAR: 1.2,
    SRC_TRADESHOW: 1.0,
    SRC_REFERRAL: 1.1,
    SRC_PARTNER: 1.2,
    SRC_OUTBOUND: 0.9,
}
UNMAPPED_LEAD_SOURCES = ("web-form-legacy", "Partner Referal", "Website - Direct", "tradeshow")

# --- Paid campaigns ---------------------------------------------------------------------------
PLATFORMS = ("google_ads", "linkedin_ads", "facebook_ads")


class AdCampaign(NamedTuple):
    """One ad-platform campaign: its CRM twin has `utm_campaign__c == utm`."""

    platform: str
    utm: str
    account: str  # key of AD_ACCOUNTS
    start: float  # share of the window elapsed when it starts
    end: float  # share of the window elapsed when it stops
    weight: float  # daily lead volume at the start, relative to all lead sources
    growth: float  # volume at the end of the window relative to the start
    cost_per_lead: float  # USD per CRM lead
    name: str  # the CRM campaign name


_AD_CAMPAIGN_TABLE = """
google_ads   gads_brand_search_us          g_us 0.00 1.0 0.060 1.2  70 Google - Brand Search US
google_ads   gads_nonbrand_search_us       g_us 0.00 1.0 0.070 2.0 190 Google - Non-brand US
google_ads   gads_competitor_search_us     g_us 0.25 1.0 0.020 1.5 260 Google - Competitor US
google_ads   gads_display_retargeting      g_us 0.00 0.8 0.030 1.0 120 Google - Display Retargeting
google_ads   gads_pmax_global              g_us 0.50 1.0 0.050 1.6 150 Google - Performance Max
google_ads   gads_brand_search_eu          g_eu 0.00 1.0 0.015 1.2  90 Google - Brand Search EU
google_ads   gads_nonbrand_search_dach     g_eu 0.40 1.0 0.020 1.5 210 Google - Non-brand DACH
linkedin_ads li_sponsored_content_icp_us   l_us 0.00 1.0 0.030 1.2 380 LinkedIn - Sponsored ICP US
linkedin_ads li_lead_gen_finserv_us        l_us 0.20 1.0 0.015 1.3 420 LinkedIn - Lead Gen FinServ
linkedin_ads li_lead_gen_healthcare_us     l_us 0.30 1.0 0.012 1.3 410 LinkedIn - Lead Gen Health
linkedin_ads li_abm_enterprise_uk          l_gb 0.00 1.0 0.012 1.1 450 LinkedIn - ABM Enterprise UK
linkedin_ads li_thought_leadership_emea    l_gb 0.50 1.0 0.010 1.2 360 LinkedIn - Thought Leadership
facebook_ads fb_retargeting_site_visitors  f_us 0.00 1.0 0.025 1.4  95 Facebook - Retargeting
facebook_ads fb_lookalike_broad_us         f_us 0.35 1.0 0.050 3.0  75 Facebook - Lookalike Broad US
facebook_ads fb_lead_ads_smb_ca            f_ca 0.40 1.0 0.020 2.0  65 Facebook - Lead Ads SMB CA
facebook_ads fb_lead_ads_global            f_us 0.60 1.0 0.040 2.5  55 Facebook - Lead Ads Global
"""


def _parse_ad_campaigns(table: str) -> tuple[AdCampaign, ...]:
    rows = []
    for line in table.strip().splitlines():
        platform, utm, account, start, end, weight, growth, cpl, *name = line.split()
        rows.append(
            AdCampaign(
                platform, utm, account, float(start), float(end), float(weight), float(growth),
                float(cpl), " ".join(name),
            )
        )  # fmt: skip
    return tuple(rows)


AD_CAMPAIGNS = _parse_ad_campaigns(_AD_CAMPAIGN_TABLE)
# ad account key -> (platform account id, currency)
AD_ACCOUNTS = {
    "g_us": ("4127736190", "USD"),
    "g_eu": ("5831204467", "EUR"),
    "l_us": ("508412733", "USD"),
    "l_gb": ("508977120", "GBP"),
    "f_us": ("act_1187346520931", "USD"),
    "f_ca": ("act_2209813374650", "CAD"),
}
PLATFORM_UTM = {
    "google_ads": ("google", "cpc"),
    "linkedin_ads": ("linkedin", "paid_social"),
    "facebook_ads": ("facebook", "paid_social"),
}
PLATFORM_SOURCE = {
    "google_ads": SRC_GOOGLE,
    "linkedin_ads": SRC_LINKEDIN,
    "facebook_ads": SRC_FACEBOOK,
}
# (cost per 1000 impressions USD, click-through rate, platform conversions per CRM lead)
PLATFORM_DELIVERY = {
    "google_ads": (28.0, 0.045, 1.6),
    "linkedin_ads": (65.0, 0.006, 1.3),
    "facebook_ads": (11.0, 0.011, 2.2),
}
TRADE_SHOWS = (
    "SaaStr Annual",
    "Dreamforce",
    "Web Summit",
    "HIMSS Global",
    "Money20/20",
    "SaaStock",
    "B2B Marketing Expo",
    "Gartner CFO Summit",
)
WEBINAR_TOPICS = (
    "Revenue Forecasting Basics",
    "ICP Workshop",
    "Pipeline Hygiene",
    "Speed-to-Lead Playbook",
    "CAC Payback Deep Dive",
    "RevOps for Finance",
    "Board-ready Metrics",
    "Churn Early Warnings",
)

# --- Funnel dynamics by fit tier (fit, partial, poor) -----------------------------------------
SCORE_BASE = 30.0
SCORE_PER_MATCH = 9.0
SCORE_NOISE = 13.0
MQL_SCORE_CENTER = 56.0
MQL_SCORE_SCALE = 6.5
TOUCH_PROB = 0.96
RESPONSE_MEDIAN_HOURS = 4.0
RESPONSE_SIGMA = 1.9
SQL_PROB = np.array([0.80, 0.58, 0.38])
SQL_SPEED_DECAY = 0.28  # p(SQL) multiplied by (1 + response hours) ** -decay
OPP_PROB = np.array([0.82, 0.68, 0.55])
WIN_PROB = np.array([0.42, 0.27, 0.15])
CYCLE_MEDIAN_DAYS = np.array([42.0, 68.0, 95.0])
CYCLE_SIGMA = 0.45
AMOUNT_MEDIAN_USD = np.array([30_000.0, 18_000.0, 10_500.0])
AMOUNT_SIGMA = 0.45
MONTHLY_CHURN = np.array([0.007, 0.020, 0.045])
EXPANSION_PROB = np.array([0.45, 0.30, 0.15])
TASK_EFFORT_PER_WEEK = np.array([0.8, 1.0, 1.35])  # rep activities per open deal-week
SKIP_STAGE_PROB_BY_SOURCE = np.array([0.0005] * 7 + [0.012, 0.012, 0.012])

DISQUALIFIED_REASONS = (
    "No Budget",
    "Not Decision Maker",
    "Bad Fit",
    "Competitor",
    "No Response",
    "Student/Job Seeker",
)
DISQUALIFIED_REASON_PROBS = np.array(
    [
        [0.20, 0.20, 0.03, 0.27, 0.27, 0.03],
        [0.22, 0.20, 0.15, 0.15, 0.23, 0.05],
        [0.20, 0.10, 0.35, 0.05, 0.15, 0.15],
    ]
)
LEAD_STATUSES = ("Open", "Working", "Nurturing", "Qualified", "Disqualified", "Converted")
ST_OPEN, ST_WORKING, ST_NURTURING, ST_QUALIFIED, ST_DISQUALIFIED, ST_CONVERTED = range(6)

# --- Opportunities ----------------------------------------------------------------------------
STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
    "Discovery (old)",  # unmapped legacy stage, only used as dirt
)
OPEN_STAGE_COUNT = 6
STAGE_WON, STAGE_LOST, STAGE_LEGACY = 6, 7, 8
STAGE_PROPOSAL = 4
STAGE_PROBABILITY = np.array([10.0, 10.0, 20.0, 50.0, 75.0, 90.0, 100.0, 0.0, 10.0])
FORECAST_CATEGORIES = ("Pipeline", "Best Case", "Commit", "Closed", "Omitted")
STAGE_FORECAST = np.array([0, 0, 0, 0, 1, 2, 3, 4, 0], dtype=np.int8)
OPP_TYPES = ("New Business", "Expansion", "Renewal")
KIND_NEW, KIND_EXPANSION, KIND_RENEWAL = 0, 1, 2
LOSS_REASONS = ("Price", "Competitor", "No Decision", "Timing", "Product Fit", "Budget Cut")
LOSS_REASON_PROBS = np.array(
    [
        [0.15, 0.30, 0.20, 0.25, 0.03, 0.07],
        [0.22, 0.22, 0.18, 0.18, 0.10, 0.10],
        [0.25, 0.10, 0.15, 0.05, 0.30, 0.15],
    ]
)
CONTACT_ROLES = (
    "Decision Maker",
    "Economic Buyer",
    "Influencer",
    "Technical Buyer",
    "Evaluator",
    "Business User",
)
PLANS = ("Starter", "Growth", "Pro", "Enterprise", "Add-on")
PLAN_MRR_USD_THRESHOLDS = np.array([600.0, 1500.0, 3500.0])

# --- People -----------------------------------------------------------------------------------
FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
    "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Laura",
    "Edward", "Helen", "Jeffrey", "Sharon", "Ryan", "Cynthia", "Jacob", "Kathleen", "Gary", "Amy",
    "Nicholas", "Shirley", "Eric", "Angela", "Jonathan", "Anna", "Stephen", "Ruth", "Larry",
    "Brenda", "Justin", "Pamela", "Scott", "Nicole", "Brandon", "Katherine", "Benjamin",
    "Samantha", "Samuel", "Christine", "Gregory", "Emma", "Alexander", "Catherine", "Patrick",
    "Debra", "Frank", "Virginia", "Raymond", "Rachel", "Jack", "Carolyn", "Dennis", "Janet",
    "Jerry", "Maria", "Tyler", "Olivia", "Aaron", "Heather", "Jose", "Diane", "Adam", "Julie",
    "Nathan", "Joyce", "Henry", "Victoria", "Zachary", "Ruth", "Douglas", "Lauren", "Peter",
    "Kelly", "Kyle", "Christina", "Noah", "Joan", "Ethan", "Evelyn", "Jeremy", "Judith", "Walter",
    "Megan", "Christian", "Andrea", "Keith", "Cheryl", "Roger", "Hannah", "Terry", "Jacqueline",
    "Austin", "Martha", "Sean", "Gloria", "Gerald", "Teresa", "Carl", "Ann", "Harold", "Sara",
    "Dylan", "Madison", "Arthur", "Frances", "Lawrence", "Kathryn", "Jordan", "Janice", "Jesse",
    "Jean", "Bryan", "Abigail", "Billy", "Alice", "Bruce", "Julia", "Gabriel", "Judy", "Joe",
    "Sophia", "Logan", "Grace", "Albert", "Denise", "Willie", "Amber", "Alan", "Doris", "Eugene",
    "Marilyn", "Russell", "Danielle", "Vincent", "Beverly", "Philip", "Isabella", "Bobby",
    "Theresa", "Johnny", "Diana", "Bradley", "Natalie", "Lukas", "Sofia", "Mateo", "Lea", "Hiroshi",
    "Yuki", "Arjun", "Priya", "Lucas", "Camila", "Finn", "Mia", "Jonas", "Chloe", "Raj", "Ananya",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
    "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook",
    "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly",
    "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood",
    "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo",
    "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins", "Perry",
    "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher",
    "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
    "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera",
    "Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro",
    "Marshall", "Owens", "Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy",
    "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford",
    "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason",
    "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd",
    "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza",
    "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne",
    "Grant", "Dunn", "Kelley", "Spencer", "Hawkins", "Arnold", "Pierce", "Hansen", "Peters",
    "Mueller", "Schneider", "Fischer", "Weber", "Becker", "Dubois", "Moreau", "Rossi", "Bianchi",
    "Tanaka", "Suzuki", "Sato", "Singh", "Sharma", "Gupta", "Santos", "Oliveira", "Jansen",
    "de Vries", "Bakker", "Visser", "Lindqvist", "Novak", "Kowalski", "O'Brien", "Walsh",
)  # fmt: skip
LEAD_TITLES = (
    "CEO", "CFO", "COO", "VP Sales", "VP Marketing", "VP Finance", "Head of Revenue Operations",
    "Director of Sales", "Director of Marketing", "Sales Operations Manager",
    "Marketing Operations Manager", "Revenue Operations Analyst", "Controller", "FP&A Manager",
    "Account Executive", "Marketing Manager", "Business Analyst", "Data Analyst",
    "IT Director", "Founder", "Consultant", "Student", "Office Manager", "Engineer",
)  # fmt: skip
COMPANY_PREFIXES = (
    "North", "South", "East", "West", "Blue", "Red", "Green", "Silver", "Gold", "Iron", "Stone",
    "River", "Lake", "Summit", "Peak", "Bright", "Clear", "Swift", "True", "Prime", "Nova", "Astra",
    "Vertex", "Apex", "Zenith", "Orbit", "Pixel", "Quantum", "Fusion", "Vector", "Cobalt", "Amber",
    "Cedar", "Maple", "Oak", "Pine", "Harbor", "Bay", "Coast", "Delta", "Sierra", "Atlas", "Titan",
    "Helix", "Nimbus", "Polar", "Solar", "Lunar", "Terra", "Aqua", "Crimson", "Indigo", "Violet",
    "Falcon", "Eagle", "Hawk", "Wolf", "Fox", "Bear", "Lion", "Tiger", "Copper", "Granite",
    "Marble",
    "Crystal", "Echo", "Signal", "Beacon", "Anchor", "Compass", "Meridian", "Horizon", "Frontier",
    "Pioneer", "Keystone", "Cornerstone", "Bridge", "Gate", "Tower", "Castle", "Crown", "Royal",
    "Union", "United", "Global", "Metro", "Urban", "Civic", "Alpine", "Arctic", "Pacific",
    "Atlantic", "Nordic", "Celtic", "Hudson", "Mercer", "Sterling", "Lexington", "Ashford",
)  # fmt: skip
COMPANY_CORES = (
    "Analytics", "Systems", "Labs", "Health", "Capital", "Bank", "Insurance", "Logistics",
    "Software", "Dynamics", "Networks", "Solutions", "Partners", "Group", "Holdings", "Industries",
    "Manufacturing", "Retail", "Foods", "Media", "Studios", "Learning", "Academy", "Clinic",
    "Medical", "Pharma", "Biotech", "Energy", "Motors", "Freight", "Shipping", "Hotels", "Resorts",
    "Finance", "Payments", "Cloud", "Data", "Robotics", "Security", "Works", "Supply", "Trading",
)  # fmt: skip
COMPANY_SUFFIXES = ("", " Inc", " Ltd", " GmbH", " LLC", " Co")
EMAIL_TLDS = (".com", ".io", ".co", ".net")

USER_DEPARTMENTS = ("Sales Development", "Account Executive", "Marketing", "Sales Management")
DEPT_SDR, DEPT_AE, DEPT_MARKETING, DEPT_MANAGEMENT = range(4)
USER_TITLES = {
    DEPT_SDR: "Sales Development Representative",
    DEPT_AE: "Account Executive",
    DEPT_MARKETING: "Marketing Manager",
    DEPT_MANAGEMENT: "Sales Manager",
}

# --- Activities -------------------------------------------------------------------------------
TASK_TYPES = ("Call", "Email", "Meeting")
TASK_SUBJECTS = (
    "Call",
    "Email: Intro",
    "Follow-up call",
    "Email: Follow-up",
    "Discovery meeting",
    "Demo",
    "Proposal review",
    "Marketing email: nurture",
)
TASK_STATUSES = ("Completed", "Not Started")
MEMBER_STATUSES = ("Responded", "Registered", "Attended", "Visited Booth", "Sent")

# --- Finance ----------------------------------------------------------------------------------
EXPENSE_CHANNELS = (
    "paid_search",
    "paid_social",
    "organic",
    "events",
    "referral",
    "partner",
    "outbound",
)
