"""The insights pages, one module per page family; each module lists its own ``urlpatterns`` (urls.py joins
them): compound.py (the compound dashboard and the index), drill.py (the list behind a figure), area.py (the
community and sub-district dashboards), peers.py (a compound against its peers), redlist.py (the red list, its
weights and honours), report.py (the governance report, its PDF and narrative)."""
