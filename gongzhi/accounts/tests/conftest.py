from gongzhi.api.tests.helpers import english, fresh_cache  # noqa: F401 - autouse fixtures
