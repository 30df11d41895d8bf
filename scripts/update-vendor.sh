#!/usr/bin/env bash
# Re-fetches the chat console's client libraries at their pinned versions from npm and copies the browser builds and
# their licences into Copilot.Api/ChatConsole/wwwroot/vendor/. To upgrade, change a version here, run this, run
# scripts/test-console.sh, and commit the script and the copied files together.
set -euo pipefail
cd "$(dirname "$0")/.."

marked_version=18.2.1     # Markdown to HTML (MIT)
dompurify_version=3.5.0   # HTML sanitizer (Apache-2.0 OR MPL-2.0)

vendor=Copilot.Api/ChatConsole/wwwroot/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# npm pack checks each tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "marked@$marked_version" "dompurify@$dompurify_version" >/dev/null)
for tarball in "$work"/*.tgz; do
    mkdir -p "${tarball%.tgz}"
    tar -xzf "$tarball" -C "${tarball%.tgz}"
done

rm -rf "$vendor"
mkdir -p "$vendor/marked" "$vendor/dompurify"
cp "$work/marked-$marked_version/package/lib/marked.esm.js" "$work/marked-$marked_version/package/LICENSE" "$vendor/marked/"
# Renamed from purify.es.mjs: MSBuild would take ".es" for a culture and move the file into a satellite assembly.
cp "$work/dompurify-$dompurify_version/package/dist/purify.es.mjs" "$vendor/dompurify/purify.mjs"
cp "$work/dompurify-$dompurify_version/package/LICENSE" "$work/dompurify-$dompurify_version/package/LICENSE-MPL" "$vendor/dompurify/"
echo "marked $marked_version and DOMPurify $dompurify_version copied to $vendor"
