#!/usr/bin/env bash
# Installs what the integration tests need, and nothing when it is all there already:
# Debian's packages (nginx, supervisord, Debian's own python3 with venv for the replayed
# container roots, iproute2, ...), the pinned Python tools in .venv, checkov (pinned) in its
# own .venv-checkov, and dclint (pinned, with its lock) under tests/tools/dclint.
#
# Quiet when everything is present; prints one line per thing it installs. Needs root for
# the Debian packages (CI runs as root); as another user it says what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the harness runs on the host or inside a replayed root (which is the host's `/` under
# an overlay): nginx and supervisord as the images run them, Debian's python3 + venv for the
# image's `python3 -m venv`, busybox for the Alpine image's own adduser/addgroup/wget,
# iproute2 for the veth pair, util-linux/mount/passwd for namespaces, mounts and useradd,
# openssl for the test that reads `gen cert`'s certificate, php-fpm (Debian's) for the test that
# runs a daemonizing php-fpm under supervisord and php8.2-fpm (what it pulls in, named for
# the PHP-FPM project of test_servers_live.py), and third-party nginx module packages for the
# nginx oracle's case that loads them (test_nginx_oracle.py; the NDK comes with set-misc).
DEBIAN_PACKAGES=(
    nginx
    supervisor
    python3
    python3-venv
    iproute2
    curl
    bzip2
    busybox
    util-linux
    mount
    passwd
    ca-certificates
    openssl
    tini
    php8.2-fpm
    php-fpm
    libnginx-mod-http-headers-more-filter
    libnginx-mod-http-echo
    libnginx-mod-http-subs-filter
    libnginx-mod-http-fancyindex
    libnginx-mod-http-set-misc
    libnginx-mod-http-ndk
    libnginx-mod-http-uploadprogress
)

missing_packages() {
    local pkg status
    for pkg in "${DEBIAN_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
        [[ "$status" == installed ]] || printf '%s\n' "$pkg"
    done
}

listeners() {
    ss -ltnH 2>/dev/null | awk '{print $4}' | sort -u
}

install_debian_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) && return 0
    if ((EUID != 0)); then
        echo "install-test-deps: missing Debian packages (${missing[*]}); run this script as root" >&2
        return 1
    fi
    echo "install-test-deps: installing Debian packages: ${missing[*]}"

    # Installing nginx or supervisor would start them on this machine. A policy-rc.d that
    # exits 101 tells invoke-rc.d (and deb-systemd-invoke) not to start any service. Keep a
    # policy the machine already has, and put it back afterwards.
    local policy=/usr/sbin/policy-rc.d backup=""
    if [[ -e "$policy" ]]; then
        backup=$(mktemp /usr/sbin/policy-rc.d.gen-backup.XXXXXX)
        cp -p "$policy" "$backup"
    fi
    # shellcheck disable=SC2064 # expand now: the trap must restore this very backup
    trap "restore_policy '$policy' '$backup'" EXIT
    printf '#!/bin/sh\n# gen: install-test-deps.sh is installing packages; start no service.\nexit 101\n' >"$policy"
    chmod 0755 "$policy"

    local before log
    before=$(listeners)
    log=$(mktemp)
    local apt=(apt-get -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
    if ! { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update &&
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "install-test-deps: apt-get failed (log above)" >&2
        return 1
    fi
    rm -f "$log"
    restore_policy "$policy" "$backup"
    trap - EXIT

    # Nothing the packages brought may be left listening on this machine.
    local after new
    after=$(listeners)
    new=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after"))
    if [[ -n "$new" ]]; then
        echo "install-test-deps: new listening sockets after the install (a service started):" >&2
        ss -ltnp >&2
        return 1
    fi
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} != 0)); then
        echo "install-test-deps: still missing after apt-get: ${missing[*]}" >&2
        return 1
    fi
}

restore_policy() {
    local policy=$1 backup=$2
    if [[ -n "$backup" && -e "$backup" ]]; then
        mv -f "$backup" "$policy"
    elif [[ -z "$backup" ]]; then
        rm -f "$policy"
    fi
}

# Pinned Python tools in a venv: VENV REQUIREMENTS. A stamp records what the venv was built
# from (requirements and interpreter), so an unchanged venv is left alone.
install_venv() {
    local venv=$1 requirements=$2
    local python=${PYTHON:-python3}
    if ! command -v "$python" >/dev/null; then
        echo "install-test-deps: no $python to create $venv with" >&2
        return 1
    fi
    local stamp_file=$venv/.gen-requirements.stamp stamp
    stamp="$(sha256sum "$requirements" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version)' | head -n1)"
    if [[ -x $venv/bin/python && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
        return 0
    fi
    echo "install-test-deps: creating $venv from $requirements"
    "$python" -m venv --clear "$venv"
    local log
    log=$(mktemp)
    if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input \
        -r "$requirements" >"$log" 2>&1; then
        cat "$log" >&2
        echo "install-test-deps: pip install failed (log above)" >&2
        return 1
    fi
    rm -f "$log"
    printf '%s\n' "$stamp" >"$stamp_file"
}

# dclint (the compose linter the integration tests run), pinned by tests/tools/dclint's
# package.json and lock, installed there by `npm ci` with the machine's Node.js (dclint 3.1.0
# needs Node 20.19 or later, which Debian 12's nodejs is not). Never a global install.
install_dclint() {
    local dir=tests/tools/dclint stamp_file=tests/tools/dclint/node_modules/.gen-lock.stamp stamp
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
        echo "install-test-deps: dclint needs Node.js 20.19 or later with npm; none found" >&2
        return 1
    fi
    stamp="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) $(node --version)"
    if [[ -x $dir/node_modules/.bin/dclint && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
        return 0
    fi
    echo "install-test-deps: installing dclint from $dir/package-lock.json"
    local log
    log=$(mktemp)
    if ! npm ci --prefix "$dir" --no-audit --no-fund >"$log" 2>&1; then
        cat "$log" >&2
        echo "install-test-deps: npm ci failed (log above)" >&2
        return 1
    fi
    rm -f "$log"
    printf '%s\n' "$stamp" >"$stamp_file"
}

install_debian_packages
install_venv .venv tests/requirements.txt
# checkov pins packaging 23.2, the other tools 26.4: it gets a venv of its own.
install_venv .venv-checkov tests/requirements-checkov.txt
install_dclint
