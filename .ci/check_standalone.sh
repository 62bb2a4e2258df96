#!/bin/bash
# .ci/check_standalone.sh: fails, listing file:line, when a tracked file reaches outside the repo (../shared)
# or names an absolute path of one machine: a work or home directory (/work/..., /home/<user>/...,
# /root/..., /Users/<user>/..., /builds/..., /mnt/<drive>/...). System paths (/usr, /etc, /proc, /sys, /run,
# /var, /tmp, /dev ...) are not machine paths and are never flagged. Paths inside a container (a bundle's
# cwd or HOME) look the same as host ones, so the few that are legitimate are allowed below, each with why.
set -u
cd "$(dirname "$0")/.."

outside_repo='\.\./shared([/"'"'"'[:space:]]|$)'
# An absolute path starts a word (not "$d/home/...", not "a/root/..."), has a machine top directory and goes
# one level deeper (a bare "/work" or "/root" is too often a container path or a JSON pointer to flag).
machine_path='(^|[^[:alnum:]_.$~/])/(work|root|builds|home/[[:alnum:]_.-]+|Users/[[:alnum:]_.-]+|mnt/[a-z])/[[:alnum:]_.-]'

# "file glob<TAB>ERE of the line<TAB>why it is not a machine path"
allowed=(
  $'tests/integration/tools/*\t/work\tthe tool tests\' containers have a tmpfs /work as HOME'
  $'tests/unit/oci/*\t"/root/(path|readonly)"\tJSON pointers into a config\'s "root" object'
  $'.ci/check_standalone.sh\t.\tthis check\'s own patterns'
)

is_allowed() {
  local file=$1 text=$2 entry glob regex
  for entry in "${allowed[@]}"; do
    IFS=$'\t' read -r glob regex _ <<<"$entry"
    # shellcheck disable=SC2053  # glob match on purpose
    [[ $file == $glob ]] && [[ $text =~ $regex ]] && return 0
  done
  return 1
}

offenders=0
while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  text=${rest#*:}
  is_allowed "$file" "$text" && continue
  echo "$hit"
  offenders=$((offenders + 1))
done < <(git grep -n -I -E -e "$outside_repo" -e "$machine_path" -- .)

if [ $offenders -gt 0 ]; then
  echo "check_standalone: $offenders line(s) reach outside the repo or name a machine's path" >&2
  echo "check_standalone: tests failed"
  exit 1
fi
echo "check_standalone: $(git ls-files | wc -l) tracked files, no machine path: tests passed"
