#@ rule: Shell spawned by a server process
#@ priority: Critical
#@ field: proc.name=sh
#@ field: proc.pname=nginx
# A web shell: the server process runs `sh -c CMD` (system()), as an
# injected PHP or CGI handler does. The helper plays a server named nginx.
mkdir -p /tmp/srv && cp "$(command -v e2e_helper)" /tmp/srv/nginx
/tmp/srv/nginx "id >/dev/null"
