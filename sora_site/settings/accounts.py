"""Accounts: the user model, passwords, sign-up, log-in throttling (django-axes), avatars."""

from __future__ import annotations

from sora_site.env import env_bool, env_int

AUTH_USER_MODEL = "feed.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

MINIMUM_AGE = 13
ADULT_AGE = 18
INVITE_ONLY = env_bool("INVITE_ONLY", False)
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
AVATAR_MAX_PIXELS = 4096 * 4096

# Log-in and sign-up throttling (django-axes, feed/accounts/login_throttle.py; its app and middleware are
# in settings/base.py).
AUTHENTICATION_BACKENDS = [
    "feed.accounts.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)  # wrong passwords per handle and address
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours, as axes reads a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "feed.accounts.login_throttle.login_locked_out"
# The client address as the rate limits read it (sora_site/ratelimit.py): never a header a client can forge.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
SIGNUP_PER_HOUR = env_int("SIGNUP_PER_HOUR", 10, minimum=1)  # sign-up attempts per client address
# Asks to join the public-figure registry, per client address.
FIGURE_REQUESTS_PER_HOUR = env_int("FIGURE_REQUESTS_PER_HOUR", 5, minimum=1)
