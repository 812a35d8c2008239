"""Example instance configuration: copy to instance/config.py and edit.

Every key here may also be set as an environment variable with the PORTAL_
prefix (PORTAL_DATABASE_URL, PORTAL_MAIL_SERVER, ...), which wins over this file.
The instance folder itself moves with PORTAL_INSTANCE_PATH.
"""

# SECRET_KEY = "..."  # generated into instance/secret_key on first run when unset

# PostgreSQL instead of the SQLite file in instance/:
# DATABASE_URL = "postgresql+psycopg://portal:secret@127.0.0.1:5432/portal"

# Shared rate limits when several app processes run behind a proxy:
# REDIS_URL = "redis://127.0.0.1:6379/0"

# SITE_NAME = "某某县人民政府公众信息网"
# SITE_DOMAIN = "www.example.gov.cn"
# SITE_ID_CODE = "0000000000"
# BASE_URL = "https://www.example.gov.cn"

# MAIL_SERVER = "smtp.example.gov.cn"
# MAIL_PORT = 465
# MAIL_USE_SSL = True
# MAIL_USERNAME = "noreply@example.gov.cn"
# MAIL_PASSWORD = "..."

# Behind nginx (one proxy hop):
# PROXY_FIX_HOPS = 1
# SESSION_COOKIE_SECURE = True

# Citizen messages: working days to answer after acceptance, per-category overrides
# (consult, complaint, suggestion, help), and the channels named to refused citizens.
# MESSAGE_REPLY_WORKING_DAYS = 5
# MESSAGE_REPLY_WORKING_DAYS_BY_CATEGORY = {"help": 3, "complaint": 10}
# MESSAGE_REFUSAL_CHANNELS = ["县信访局（地址：县政府大院；电话：0000-0000000）",
#                             "县纪委监委信访室（电话：12388）"]

# Submissions: items each unit must report per month (the monitor's rules page wins),
# and how fast an urgent item must reach the center after the event.
# MONTHLY_QUOTA = 4
# URGENT_REPORT_HOURS = 2
