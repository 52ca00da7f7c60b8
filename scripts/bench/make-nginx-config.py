#!/usr/bin/env python3
"""Writes a synthetic nginx config of about SIZE megabytes to stdout, for parser benchmarks.

It is deterministic (the same SIZE gives the same bytes) and valid for `nginx -t` (logs go to
/dev/null, upstreams are addresses, so checking it writes nothing and resolves nothing). It holds what large real
configs hold: thousands of upstream and server blocks with locations, proxy settings, maps,
regex locations, `if` blocks, quoted strings with escapes, variables and comments.

Usage: make-nginx-config.py [SIZE_MB] > synthetic.conf   (default 20)
"""

import sys


def server_block(i: int) -> str:
    return f"""
    # site {i}: a reverse proxy with a few typical locations
    upstream backend_{i} {{
        server 10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}:8080 weight=3 max_fails=2 fail_timeout=10s;
        server 127.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}:9000 backup;
        keepalive 16;
    }}

    map $http_user_agent $is_bot_{i} {{
        default 0;
        "~*(googlebot|bingbot|yandex)" 1;
        'curl/7.68.0' 0;
    }}

    server {{
        listen 80;
        listen [::]:80;
        server_name site{i}.example.com www.site{i}.example.com;
        root /var/www/site{i};
        index index.html index.htm;

        access_log /dev/null combined buffer=32k;
        error_log /dev/null warn;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 60s;

        location / {{
            try_files $uri $uri/ @backend_{i};
        }}

        location @backend_{i} {{
            proxy_pass http://backend_{i};
        }}

        location ~* \\.(jpg|jpeg|png|gif|ico|css|js|woff2?)$ {{
            expires 30d;
            add_header Cache-Control "public, max-age=2592000" always;
            access_log off;
        }}

        location ^~ /api/v{i % 3 + 1}/ {{
            if ($is_bot_{i}) {{
                return 403 "bots are not allowed here\\n";
            }}
            if ($request_method = OPTIONS) {{
                add_header Access-Control-Allow-Origin "*";
                return 204;
            }}
            proxy_pass http://backend_{i};
            proxy_set_header X-Request-Id "${{request_id}}-{i}";
        }}

        location = /healthz {{
            access_log off;
            return 200 'ok; {{"site": {i}}}\\n';
        }}

        location ~ ^/users/(?<user>[0-9]+)/profile$ {{
            rewrite ^ /profile.php?user=$user last;
        }}
    }}
"""


def main() -> None:
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    target = int(size_mb * 1024 * 1024)
    out = sys.stdout
    head = (
        "worker_processes auto;\npid /tmp/gen-bench-nginx.pid;\n\n"
        "events {\n    worker_connections 4096;\n}\n\nhttp {\n"
        "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
    )
    out.write(head)
    written = len(head)
    i = 0
    while written < target:
        block = server_block(i)
        out.write(block)
        written += len(block)
        i += 1
    out.write("}\n")


if __name__ == "__main__":
    main()
