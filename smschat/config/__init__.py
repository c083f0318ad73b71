"""Configuration: profiles read from a TOML file, validated, secrets resolved.

```toml
default_profile = "work"

[profiles.work]
provider = "plum"                                   # "plum" (default) or "plivo"
base_url = "https://hosting.plumvoice.com/ws/sms"   # default for plum
format = "json"                                     # or "xml"
username = "me"
password_command = "pass show plum"                 # or password = "...", or password_env = "VAR"
numbers = ["2435678910"]                            # the account's SMS numbers; first = default sender
timeout = 15.0                                      # seconds per request (optional)
allow_insecure = false                              # allow plain http:// to a non-loopback host
ca_bundle = "/etc/ssl/company-ca.pem"               # verify TLS with these CAs (optional)
```

Where the file is: `--config PATH`, else `$SMSCHAT_CONFIG`, else `smschat.paths.config_file()`.
Every error is a `ConfigError` naming the file, the key and what was expected. A password is never
part of an error, a repr or a log line.
"""

from smschat.config.load import (
    DEFAULT_BASE_URLS,
    FORMATS,
    PROFILE_KEYS,
    check_ca_bundle,
    check_url,
    config_path,
    load_profile,
    parse_profile,
    profile_names,
    read_config,
)
from smschat.config.profile import MASK, Profile
from smschat.config.save import save_config
from smschat.config.secret import PASSWORD_COMMAND_TIMEOUT, SECRET_KEYS

__all__ = [
    "DEFAULT_BASE_URLS",
    "FORMATS",
    "MASK",
    "PASSWORD_COMMAND_TIMEOUT",
    "PROFILE_KEYS",
    "SECRET_KEYS",
    "Profile",
    "check_ca_bundle",
    "check_url",
    "config_path",
    "load_profile",
    "parse_profile",
    "profile_names",
    "read_config",
    "save_config",
]
