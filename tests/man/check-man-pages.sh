#!/usr/bin/env bash
# Checks the manual pages: mandoc -T lint reports no warning on any page in
# man/, every program in cmd/ has a page, and every long option its --help
# lists is documented on that page.
# Usage: check-man-pages.sh SOURCE_DIR BIN_DIR
set -uo pipefail
src=$1
bin=$2
failed=0

for page in "$src"/man/*.[1-8]; do
  out=$(mandoc -T lint -W warning "$page" 2>&1)
  if [ -n "$out" ]; then
    echo "$out"
    failed=1
  fi
done

for dir in "$src"/cmd/*/; do
  name=$(basename "$dir")
  pages=("$src"/man/"$name".[1-8])
  if [ ! -f "${pages[0]}" ]; then
    echo "cmd/$name has no manual page in man/"
    failed=1
    continue
  fi
  if [ ! -x "$bin/$name" ]; then
    echo "$bin/$name is not built"
    failed=1
    continue
  fi
  for option in $("$bin/$name" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    [ "$option" = "--help" ] && continue
    # In mdoc an option is written "Fl \-name" (the leading dash is implied).
    if ! grep -qF -- "Fl \\${option#-}" "${pages[0]}"; then
      echo "${pages[0]#$src/}: option $option of $name --help is not documented"
      failed=1
    fi
  done
done

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "manual pages: OK"
