"""Default configuration.

Layering (see ``create_app``): these defaults, then ``instance/config.py``,
then every ``PORTAL_*`` environment variable (``PORTAL_MAIL_SERVER`` sets
``MAIL_SERVER``; values are parsed as JSON when they look like it).
"""

from datetime import timedelta

# Site identity, shown in the footer and in the government page meta tags.
SITE_NAME = "示范县人民政府公众信息网"
SITE_DOMAIN = "www.example-county.gov.cn"
SITE_ID_CODE = "0000000000"
SITE_ICP = "示ICP备00000000号"
SITE_ICP_URL = "https://beian.miit.gov.cn/"
# 公安机关备案号 and its link (全国互联网安全管理服务平台), e.g. "示公网安备 00000000000000号".
SITE_PSB = None
SITE_PSB_URL = "https://beian.mps.gov.cn/"
# 党政机关网站标识: the link and the image given by 中央编办 (when the site has one).
SITE_PARTY_GOV_LINK = None
SITE_PARTY_GOV_IMAGE = None
# Contact details in the footer.
SITE_PHONE = None
SITE_ADDRESS = None
SITE_SPONSOR = "示范县人民政府办公室"
SITE_OPERATOR = "示范县网络信息中心"

# The portal's time zone: month bounds, working days and every date shown.
TIMEZONE = "Asia/Shanghai"

# Database: None means SQLite in the instance folder (portal.db).
DATABASE_URL = None
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

# Redis, for rate limits shared between app processes; None means per process.
REDIS_URL = None

# Sessions: HttpOnly and SameSite always; Secure when served over HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
# Redirect plain HTTP to HTTPS (set when nginx terminates TLS; see README, Security).
FORCE_HTTPS = False
SESSION_COOKIE_NAME = "portal_session"
PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
REMEMBER_COOKIE_HTTPONLY = True

# CSRF tokens live as long as the session, so a slow video upload is not refused.
WTF_CSRF_TIME_LIMIT = None

# Request size limits (Flask 3.1 defaults are unlimited / 500 kB per field).
MAX_CONTENT_LENGTH = 520 * 1024 * 1024
MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
MAX_FORM_PARTS = 1000
# Every request body but a signed-in user's media upload (those endpoints below).
MAX_BODY_BYTES = 2 * 1024 * 1024
UPLOAD_ENDPOINTS = ["submissions.media_upload"]
# A page number above this is a 404 (no list is that long; huge ones overflow the database).
MAX_PAGE_NUMBER = 100_000

# Behind a reverse proxy, trust this many X-Forwarded-* hops (0: none).
PROXY_FIX_HOPS = 0

# Mail: SMTP when MAIL_SERVER is set, else .eml files in instance/outbox/.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_SENDER = "示范县网络信息中心 <noreply@example-county.gov.cn>"

# Base URL used in e-mails and feeds when there is no request (CLI, scheduler).
BASE_URL = "http://127.0.0.1:5000"

# Accounts.
PASSWORD_MIN_LENGTH = 10
SET_PASSWORD_LINK_HOURS = 72
# Failed logins per account *and* client address: then that client waits (growing windows).
LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes;10 per hour;20 per day"
# Failed attempts (logins, message query codes) after which a picture code is required:
# per account (or message number) from anywhere, and per client address over all accounts.
CAPTCHA_AFTER_PER_ACCOUNT = "3 per 15 minutes"
CAPTCHA_AFTER_PER_CLIENT = "10 per 15 minutes"
# Wrong current passwords (changing the password), per account.
CURRENT_PASSWORD_LIMIT = "5 per 15 minutes"
RATELIMIT_HEADERS_ENABLED = False

# ---- Submissions (信息报送) ----------------------------------------------------
# Items each counted unit must bring to the center per calendar month (China time).
MONTHLY_QUOTA = 4
# Urgent items (重大/紧急信息) reaching the center later than this after the event are 迟报.
URGENT_REPORT_HOURS = 2
# Working days a department has to fulfil a dual-report obligation (条块双报).
DUAL_REPORT_WORKING_DAYS = 3
# Upload limits per kind of media, in MB (MAX_CONTENT_LENGTH above bounds the request).
IMAGE_MAX_MB = 20
VIDEO_MAX_MB = 500
AUDIO_MAX_MB = 100
# Images above this many pixels are refused as decompression bombs.
IMAGE_MAX_PIXELS = 40_000_000
# Use ffprobe/ffmpeg (when installed) to check video and audio and take poster frames.
MEDIA_USE_FFMPEG = True
# Media files live here; None means instance/media.
MEDIA_ROOT = None

# ---- Publishing (审核发布与公众网站) ------------------------------------------------------
# Items per page of a column, a unit's page and the reviewer's queue.
PUBLISHING_PAGE_SIZE = 20
PUBLISHING_GALLERY_PAGE_SIZE = 24
PUBLISHING_QUEUE_PAGE_SIZE = 50
PUBLISHING_SEARCH_PAGE_SIZE = 10
# Searches per visitor address (the index is the costliest public page).
PUBLISHING_SEARCH_LIMIT = "60 per minute"
# Home page: titles per column, featured pictures, how long an urgent item stays on the banner.
PUBLISHING_HOME_ITEMS = 6
PUBLISHING_FEATURED = 4
PUBLISHING_URGENT_BANNER_HOURS = 72
# Entries of each Atom feed.
PUBLISHING_FEED_ENTRIES = 30

# ---- Citizen messages (市民留言) -----------------------------------------------
# Working days a unit has to answer, counted from the day after acceptance (China time).
MESSAGE_REPLY_WORKING_DAYS = 5
# Per-category overrides, keyed by category: consult 咨询, complaint 投诉, suggestion 建议,
# help 求助; e.g. {"help": 3, "complaint": 10}.
MESSAGE_REPLY_WORKING_DAYS_BY_CATEGORY = {}
# Most working days the center may add in one extension (延期).
MESSAGE_MAX_EXTENSION_WORKING_DAYS = 15
# Most working days all extensions of one message may add together.
MESSAGE_MAX_EXTENSION_TOTAL_WORKING_DAYS = 20
# Per IP address: messages actually sent, and every post of the form (bots).
MESSAGE_SUBMIT_LIMIT = "5 per hour;20 per day"
MESSAGE_POST_LIMIT = "30 per hour"
# Per IP address: failed look-ups with a message number and query code.
MESSAGE_QUERY_LIMIT = "10 per 15 minutes;30 per day"
# Where the center sends citizens whose message belongs to another channel (信访/纪检).
MESSAGE_REFUSAL_CHANNELS = [
    "县信访局（来信来访、网上信访：国家信访局网上信访平台）",
    "县纪委监委（信访举报电话 12388，网站 www.12388.gov.cn）",
    "12345 政务服务便民热线",
]
# The phone channel offered when the form's limit is reached.
MESSAGE_HOTLINE = "12345"
# Messages per page on the public board.
MESSAGE_BOARD_PAGE_SIZE = 20

# ---- monitor (报送考核) ---------------------------------------------------------
# (MONTHLY_QUOTA above is the default; the admin changes it on the rules page, recorded.)
# The scheduler closes the month just ended after this hour (China time) on the 1st,
# and sends reminders after this hour on reminder days.
MONITOR_CLOSE_HOUR = 1
MONITOR_REMIND_HOUR = 9
# Site-health checks (2019 national website checks).
HEALTH_NEWS_DAYS = 14
HEALTH_NOTICE_DAYS = 180
HEALTH_MESSAGE_MONTHS = 3
HEALTH_NEWS_COLUMNS = ["news"]
HEALTH_NOTICE_COLUMNS = ["notices", "documents", "open"]
