# Browser tests (tests/test_dashboard.py): Debian's chromium, driven by Playwright with
# executable_path=/usr/bin/chromium. Never `playwright install`: no downloaded browser.
# The dashboard's front-end files are vendored in src/sitrep/web/static (built from npm by
# web/build.sh); when npm is present, check they still match web/package-lock.json.
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium >/dev/null
fi
/usr/bin/chromium --version
if command -v npm >/dev/null 2>&1; then
  bash web/build.sh --check
fi
export SITREP_CHROMIUM=/usr/bin/chromium
