"""pj.Error carries PJSUA2's fields and formats like PJSUA2's."""

import ferrosip as pj


def test_error_fields_and_info():
    e = pj.Error(70015, "Endpoint::libCreate()", "Object already exists", "x.rs", 12)
    assert (e.status, e.title, e.reason, e.srcFile, e.srcLine) == (
        70015,
        "Endpoint::libCreate()",
        "Object already exists",
        "x.rs",
        12,
    )
    assert e.info() == "Endpoint::libCreate() error: Object already exists (status=70015) [x.rs:12]"
    assert e.info(True).splitlines()[1] == "Code:        70015"
    assert str(e) == e.info()
    assert isinstance(e, Exception)


def test_status_text():
    assert "PJ_EINVAL" in pj._ferrosip.strError(70004)
