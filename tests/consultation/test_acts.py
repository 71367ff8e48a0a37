"""The act table walked: for every phase, role and act, what the table offers
(allowed_acts) is what the service accepts and what the API answers."""

import pytest
from django.core.exceptions import PermissionDenied

from egov.consultation import acts, services
from egov.consultation.errors import IllegalTransition
from egov.consultation.models import Consultation, Phase


@pytest.mark.parametrize("phase", Phase.values)
def test_the_table_the_services_and_the_api_agree(client, world, consultation, phase):
    for who in (world.drafter, world.lead, world.outsider, world.citizen):
        for name, act in acts.ACTS.items():
            Consultation.objects.filter(pk=consultation.pk).update(phase=phase)
            c = Consultation.objects.get(pk=consultation.pk)
            offered = act in acts.allowed_acts(c, who)
            try:
                services.make(who, c, name)
                made = True
            except (PermissionDenied, IllegalTransition):
                made = False
            assert offered == made, (phase, who, name)
            Consultation.objects.filter(pk=consultation.pk).update(phase=phase)
            client.force_login(who)
            response = client.post(f"/api/v1/consultation/consultations/{c.code}/{act.slug}/")
            assert (response.status_code == 200) == offered, (
                phase,
                who,
                name,
                response.status_code,
            )
            if not offered:
                assert response.status_code in {403, 409}
