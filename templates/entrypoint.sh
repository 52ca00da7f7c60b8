#!/bin/sh
# {{ header }}
# The container's entrypoint. It checks the configuration variables (README.md lists them)
# and refuses a bad value before anything starts. nginx cannot read the environment: the
# lines of nginx.conf that a variable sets end in `# env NAME`, and when a variable differs
# from the image's default this writes a copy of nginx.conf with its value there and points
# supervisord's nginx program at the copy ({{ nginx_conf_var }}). With the defaults nginx runs
# {{ nginx_conf }} itself. Then the command (supervisord) takes this shell's place.
set -eu

fail() {
    printf 'gen: %s\n' "$*" >&2
    exit 78
}

number() { # NAME VALUE MIN MAX
    case $2 in
    '' | *[!0-9]* | 0?* | ??????*) fail "$1=$2: expected a whole number from $3 to $4" ;;
    esac
    if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
        fail "$1=$2: expected a whole number from $3 to $4"
    fi
}

port() { # NAME VALUE NGINX_PORT
    number "$1" "$2" 1 65535
    if [ "$2" = "$3" ]; then
        fail "$1=$2: that is nginx's own port; choose another"
    fi
}

size() { # NAME VALUE
    case $2 in
    '' | [!0-9]* | *[!0-9kKmMgG]* | *[kKmMgG]?* | ??????????????*)
        fail "$1=$2: expected an nginx size, digits with an optional k, m or g (e.g. 10m)"
        ;;
    esac
}

one_of() { # NAME VALUE WORD...
    name=$1
    value=$2
    shift 2
    for word in "$@"; do
        if [ "$value" = "$word" ]; then
            return 0
        fi
    done
    fail "$name=$value: expected one of: $*"
}

text() { # NAME VALUE
    if [ -z "$2" ]; then
        fail "$1 is empty"
    fi
}
{% for call in checks %}
{{ call }}
{%- endfor %}

conf={{ conf }}
rendered=$(sed \
{%- for e in seds %}
    -e {{ e }} \
{%- endfor %}
    "$conf")
if [ "$rendered" != "$(cat "$conf")" ]; then
    if ! mkdir -p {{ rendered_dir }} || ! printf '%s\n' "$rendered" >{{ rendered }}; then
        fail "cannot write {{ rendered }} for the changed settings: give the container a writable {{ writable }} (a tmpfs, with a read-only root)"
    fi
    {{ nginx_conf_var }}={{ rendered }}
    export {{ nginx_conf_var }}
fi

exec "$@"
