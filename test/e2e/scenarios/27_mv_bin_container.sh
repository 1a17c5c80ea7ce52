#@ rule: Write below binary directory
#@ priority: Error
#@ field: container.name=e2e-mvbin
#@ field: proc.name=mv
#@ field~: evt.type=rename
#@ field: fs.path.source=/tmp/e2e-mv-implant
#@ field: fs.path.target=/usr/bin/e2e-mv-implant
# A tool written to /tmp in a container, then moved into /usr/bin: rename(2),
# the target is never opened for writing.
e2e_bundle e2e-mvbin -- /bin/sh -c "echo '#!/bin/sh' > /tmp/e2e-mv-implant && /bin/mv /tmp/e2e-mv-implant /usr/bin/e2e-mv-implant" >/dev/null
e2e_run e2e-mvbin
