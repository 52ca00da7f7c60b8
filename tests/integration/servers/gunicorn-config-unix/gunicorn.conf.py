bind = 'unix:/run/gunicorn.sock'
workers = 2
