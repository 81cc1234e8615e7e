#!/usr/bin/env bash
# Rebuild the vendored GOV.UK Frontend assets in static/govuk/.
#
# For maintainers only: NOT run by CI or at run time (the app needs no Node).
# Requires node + npm and access to the npm registry.
#
# Usage: bin/build-govuk-assets.sh [govuk-frontend version]   (default: pinned below)
#
# Inputs:  static/govuk/app.scss (Sass source: Arial override, relative asset
#          path, small app styles)
# Outputs: static/govuk/govuk-frontend-<version>.min.css
#          static/govuk/govuk-frontend-<version>.min.js   (ES module)
#          static/govuk/assets/images/govuk-crest.svg     (only asset the CSS references)
#          static/govuk/VERSION.txt
#          static/js/init.js                               (imports initAll)
# After a version change, update the CSS/JS file names in the base template.
set -euo pipefail

VERSION="${1:-6.6.0}"
SASS_VERSION="${SASS_VERSION:-1}"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO/static/govuk"
SRC="$OUT/app.scss"
[[ -f "$SRC" ]] || { echo "missing $SRC" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cd "$TMP"
npm init -y >/dev/null
npm install --no-audit --no-fund "govuk-frontend@$VERSION" "sass@$SASS_VERSION" >/dev/null
pkgver() { node -p "JSON.parse(require('fs').readFileSync('node_modules/$1/package.json','utf8')).version"; }
EXACT="$(pkgver govuk-frontend)"
SASS_EXACT="$(pkgver sass)"
DIST="node_modules/govuk-frontend/dist/govuk"

cp "$SRC" app.scss
SASS_CMD="npx sass --pkg-importer=node --style=compressed --no-source-map app.scss out.css"
$SASS_CMD

# Sanity checks: relative asset URLs only, no GDS Transport font.
if grep -q 'url(/' out.css; then echo "absolute url(/...) found in CSS" >&2; exit 1; fi
if grep -qi '@font-face\|GDS Transport' out.css; then echo "font-face / GDS Transport found in CSS" >&2; exit 1; fi

# Replace previous build outputs.
rm -f "$OUT"/govuk-frontend-*.min.css "$OUT"/govuk-frontend-*.min.js
rm -rf "$OUT/assets"

cp out.css "$OUT/govuk-frontend-$EXACT.min.css"
# Strip the sourceMappingURL comment: the .map is not vendored, and Django's
# ManifestStaticFilesStorage would fail collectstatic on a missing map.
sed -e 's|//# sourceMappingURL=[^ ]*$||' "$DIST/govuk-frontend.min.js" \
  > "$OUT/govuk-frontend-$EXACT.min.js"

# Copy only the assets the compiled CSS references (no fonts: Arial is used;
# no favicons / GOV.UK icons / manifest: GOV.UK branding).
grep -o 'url("\?[^)"]*' out.css | sed -e 's/^url("\?//' | sort -u | while read -r ref; do
  case "$ref" in
    assets/*) mkdir -p "$OUT/$(dirname "$ref")"; cp "$DIST/${ref}" "$OUT/$ref" ;;
    data:*) ;;
    *) echo "unexpected url($ref) in CSS" >&2; exit 1 ;;
  esac
done

cat > "$REPO/static/js/init.js" <<JS
// Initialise GOV.UK Frontend components. Loaded as <script type="module">
// so the Content-Security-Policy needs no inline script.
import { initAll } from "../govuk/govuk-frontend-$EXACT.min.js";

initAll();
JS

{
  echo "govuk-frontend $EXACT"
  echo "sass (dart-sass) $SASS_EXACT"
  echo "built $(date -u +%Y-%m-%d) by bin/build-govuk-assets.sh"
  echo
  echo "Files:"
  echo "  govuk-frontend-$EXACT.min.css  compiled from app.scss"
  echo "  govuk-frontend-$EXACT.min.js   copy of dist/govuk/govuk-frontend.min.js (ES module), sourceMappingURL comment removed"
  echo "  assets/                        only the files the CSS references (from dist/govuk/assets)"
  echo "  ../js/init.js                  imports initAll from the JS above"
  echo
  echo "Compile (in a temp dir with: npm install govuk-frontend@$EXACT sass@$SASS_EXACT):"
  echo "  $SASS_CMD"
  echo
  echo "app.scss:"
  sed -e 's/^/  /' app.scss
} > "$OUT/VERSION.txt"

echo "Built govuk-frontend $EXACT into $OUT"
ls -l "$OUT" "$REPO/static/js"
