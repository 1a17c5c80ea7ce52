#!/usr/bin/env bash
# scripts/install.sh [PREFIX]   (`make install`; PREFIX defaults to /usr/local)
#
# Installs, honouring DESTDIR for packaging:
#   PREFIX/bin/vigil                     the engine
#   /etc/vigil/rules.d/*.yaml            the default rules (replaced on upgrade;
#                                        put local tuning in files of your own)
#   /etc/vigil/profiles/{dev,prod}.yaml  environment profiles
#   /etc/vigil/exceptions.example.yaml   tuning example (not loaded)
#   /etc/vigil/vigil.yaml                configuration (scripts/vigil.yaml), only
#                                        when absent; /var/log/vigil for its JSON file
#   /etc/systemd/system/vigil.service    the unit (not enabled or started)
# and, unless VIGIL_NO_DKMS=1 or DESTDIR is set, the module with DKMS
# (scripts/dkms-install.sh: dkms add, build, install for the running kernel).
set -eu
prefix=${1:-/usr/local}
destdir=${DESTDIR:-}
top=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$top/userspace/vigil" ] || { echo "install: build first (make)" >&2; exit 1; }

etc=$destdir/etc/vigil
install -d "$destdir$prefix/bin" "$etc/rules.d" "$etc/profiles" \
	"$destdir/etc/systemd/system" "$destdir$prefix/share/doc/vigil"
install -m 0755 "$top/userspace/vigil" "$destdir$prefix/bin/vigil"
install -m 0644 "$top"/rules/[0-9]*.yaml "$etc/rules.d/"
install -m 0644 "$top"/rules/profiles/*.yaml "$etc/profiles/"
install -m 0644 "$top/rules/exceptions.example.yaml" "$etc/"
[ -f "$top/README.md" ] && install -m 0644 "$top/README.md" "$destdir$prefix/share/doc/vigil/"
install -d -m 0750 "$destdir/var/log/vigil"
if [ ! -f "$etc/vigil.yaml" ]; then
	install -m 0644 "$top/scripts/vigil.yaml" "$etc/vigil.yaml"
	echo "install: wrote the default configuration to $etc/vigil.yaml"
else
	echo "install: kept the existing $etc/vigil.yaml"
fi
sed "s|@PREFIX@|$prefix|g" "$top/scripts/vigil.service" > "$destdir/etc/systemd/system/vigil.service"
chmod 0644 "$destdir/etc/systemd/system/vigil.service"
echo "install: vigil -> $destdir$prefix/bin, rules -> $etc/rules.d, unit -> $destdir/etc/systemd/system"

if [ -z "$destdir" ] && [ "${VIGIL_NO_DKMS:-0}" != 1 ]; then
	bash "$top/scripts/dkms-install.sh" --src "$top"
	command -v systemctl >/dev/null && systemctl daemon-reload 2>/dev/null || true
	echo "install: start it with: systemctl enable --now vigil"
fi
