def test_home_lists_quartiers(client, make_quartier):
    quartier = make_quartier("QN03014M", name="L'Écusson")
    response = client.get("/")
    assert response.status_code == 200
    assert "L&#39;Écusson" in response.get_data(as_text=True)
    assert quartier.qpv_code in response.get_data(as_text=True)
