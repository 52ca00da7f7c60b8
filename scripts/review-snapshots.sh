#!/usr/bin/env bash
# Reviews the snapshots a `GEN_BLESS=1 cargo test` run wrote as `<snapshot>.new` under
# tests/snapshots/ (tests/cli/review.rs): shows each against the snapshot it would replace and
# asks to accept (the `.new` replaces it), reject (the `.new` is deleted) or skip it.
#
#   scripts/review-snapshots.sh              ask for each pending snapshot
#   scripts/review-snapshots.sh --list       list the pending snapshots
#   scripts/review-snapshots.sh --accept     accept every pending snapshot (after reading
#                                            the diff some other way: `git diff` shows it)
#   scripts/review-snapshots.sh --reject     delete every pending snapshot
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-ask}"
case "$mode" in
ask | --list | --accept | --reject) ;;
*)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

mapfile -t pending < <(find tests/snapshots -name '*.new' -type f | sort)
if [ "${#pending[@]}" -eq 0 ]; then
    echo "no snapshot awaits review"
    exit 0
fi

for new in "${pending[@]}"; do
    old="${new%.new}"
    case "$mode" in
    --list)
        echo "$new"
        continue
        ;;
    --accept)
        mv -- "$new" "$old"
        echo "accepted $old"
        continue
        ;;
    --reject)
        rm -- "$new"
        echo "rejected $new"
        continue
        ;;
    esac
    if [ -f "$old" ]; then
        diff -u --label "$old" --label "$new" -- "$old" "$new" || true
    else
        echo "new snapshot $old:"
        cat -- "$new"
    fi
    while true; do
        read -r -p "[a]ccept, [r]eject, [s]kip? " answer </dev/tty
        case "$answer" in
        a)
            mv -- "$new" "$old"
            break
            ;;
        r)
            rm -- "$new"
            break
            ;;
        s) break ;;
        esac
    done
done
