# A stand-in for the pytest-repeat plugin (not installed here): --count N
# runs each test N times with the same "i-N" parameter ids pytest-repeat
# gives.
import pytest


def pytest_addoption(parser):
    parser.addoption("--count", action="store", default=1, type=int, dest="count")


@pytest.fixture
def __pytest_repeat_step_number(request):
    return request.param


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc):
    count = metafunc.config.option.count
    if count > 1:
        metafunc.fixturenames.append("__pytest_repeat_step_number")

        def make_id(i):
            return "%d-%d" % (i + 1, count)

        metafunc.parametrize("__pytest_repeat_step_number", range(count),
                             indirect=True, ids=make_id)
