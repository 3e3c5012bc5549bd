import pytest
pytestmark = pytest.mark.django_db
def test_smoke(client):
    r = client.get("/api/v1/programs/cerebral-palsy/flow")
    print(r.status_code, r.content[:1500])
    r = client.get("/api/v1/programs/cerebral-palsy/harms")
    print(r.status_code, r.content[:1500])
    r = client.get("/programs/cerebral-palsy/")
    print(r.status_code)
    assert r.status_code == 200
