"""The migration to personal_link: each participant's one link becomes their first row, so a
link sent before the upgrade still opens the study (and its sessions keep their key)."""

from flask_migrate import upgrade
from sqlalchemy import text

from consensus import create_app
from consensus.auth.tokens import hash_token, new_token
from consensus.extensions import db
from tests.conftest import make_config


def test_existing_links_move_into_the_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(make_config(url))
    token, revoked_token = new_token(), new_token()
    with app.app_context():
        upgrade(revision="5e1a7c2d9b40")  # before the panel's migration
        db.session.execute(
            text(
                "INSERT INTO study (id, slug, title, description, info_text, phase, scale, "
                "primary_rule, rule_params, min_group_size, min_ratings, target_core_size, "
                "invitation_policy, ask_reason_on_band_cross, created_at, updated_at) VALUES "
                "(1, 'pilot', 'Pilot', '', '', 'running', 'rating_1_9', 'comet_70_15', '{}', "
                "5, 5, 15, 'all_every_round', 0, '2026-01-01', '2026-01-01')"
            )
        )
        for pid, secret, revoked in ((1, token, None), (2, revoked_token, "2026-02-01")):
            db.session.execute(
                text(
                    "INSERT INTO participant (id, study_id, kind, pseudonym, organisation, level, joined_via, "
                    "token_hash, link_issued_at, link_revoked_at, invitation_status, consent_at, "
                    "created_at) VALUES (:id, 1, 'panelist', :p, '', 'lokal', 'import', :h, "
                    "'2026-01-02', :r, 'sent', '2026-01-03', '2026-01-01')"
                ),
                {"id": pid, "p": f"P00{pid}", "h": hash_token(secret), "r": revoked},
            )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text(
                "SELECT participant_id, token_hash, purpose, revoked_at IS NOT NULL "
                "FROM personal_link ORDER BY participant_id"
            )
        ).all()
        assert rows == [
            (1, hash_token(token), "invitation", 0),
            (2, hash_token(revoked_token), "invitation", 1),
        ]
        assert db.session.scalar(text("SELECT language FROM participant WHERE id = 1")) == "sv"
        client = app.test_client()
        assert client.get(f"/l/{token}").status_code == 302
        assert client.get("/deltagare").status_code == 200
        assert app.test_client().get(f"/l/{revoked_token}").status_code == 403
        db.session.remove()
        db.engine.dispose()
