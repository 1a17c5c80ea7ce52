#@ rule: Bulk data removal
#@ priority: Error
#@ field: proc.name=rm
mkdir -p /srv/data && echo x > /srv/data/db
/bin/rm -rf /srv
