"""The demo world built by ``manage.py seed_demo``: the case compound of the seed report and its peers."""
