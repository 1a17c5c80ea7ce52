#@ rule: Shell spawned by a server process
#@ priority: Critical
#@ field: proc.name=sh
#@ field: proc.pname=httpd
# A web shell: the server's CGI handler is a shell.
mkdir -p /tmp/www-cgi/cgi-bin
ln -sf /bin/busybox /tmp/www-cgi/cgi-bin/sh
/bin/httpd -f -p 127.0.0.1:8081 -h /tmp/www-cgi & hp=$!
sleep 0.5
wget -q -T 5 -O /dev/null http://127.0.0.1:8081/cgi-bin/sh 2>/dev/null
kill $hp; wait $hp 2>/dev/null
