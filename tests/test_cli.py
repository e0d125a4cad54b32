"""The command line of SPEC section 10."""

from sqlalchemy import func, select

from portal.accounts.models import ApiToken, User
from portal.extensions import db
from portal.ideas.models import Category, Comment, Idea, Vote
from portal.moderation.queue import review_queue
from portal.tracking.models import IDEA_STATUS_FOR, ImprovementItem


def test_users_create_and_token(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Ann@Example.com",
            "--password",
            "long-enough",
            "--kind",
            "staff",
            "--role",
            "admin",
            "--team",
            "Product",
            "--name",
            "Ann Admin",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
    assert (user.kind, user.role, user.display_name) == ("staff", "admin", "Ann Admin")
    assert [t.name for t in user.teams] == ["Product"]

    again = runner.invoke(
        args=[
            "users",
            "create",
            "ann@example.com",
            "--password",
            "long-enough",
            "--kind",
            "customer",
        ]
    )
    assert again.exit_code == 1 and "already exists" in again.output

    token = runner.invoke(args=["users", "token", "ann@example.com"])
    assert token.exit_code == 0
    secret = token.output.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.get_json()["email"] == "ann@example.com"
    assert db.session.scalar(select(ApiToken.token_hash)) != secret  # stored hashed
    assert runner.invoke(args=["users", "token", "nobody@example.com"]).exit_code == 1


def test_supplier_needs_org_and_org_is_created(runner):
    assert (
        runner.invoke(
            args=[
                "users",
                "create",
                "s@acme.example",
                "--password",
                "long-enough",
                "--kind",
                "supplier",
            ]
        ).exit_code
        == 1
    )
    result = runner.invoke(
        args=[
            "users",
            "create",
            "s@acme.example",
            "--password",
            "long-enough",
            "--kind",
            "supplier",
            "--org",
            "Acme",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "s@acme.example"))
    assert user.organization.name == "Acme" and user.approved


def test_bad_input_exits_non_zero(runner):
    bad_email = runner.invoke(
        args=["users", "create", "not-an-email", "--password", "long-enough", "--kind", "customer"]
    )
    assert bad_email.exit_code == 1 and "Error" in bad_email.output
    short = runner.invoke(
        args=["users", "create", "a@b.example", "--password", "short", "--kind", "customer"]
    )
    assert short.exit_code == 1


def test_categories_create(runner):
    result = runner.invoke(
        args=[
            "categories",
            "create",
            "supply-chain",
            "--name",
            "Supply chain",
            "--audience",
            "suppliers",
            "--team",
            "Logistics",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    category = db.session.scalar(select(Category).where(Category.slug == "supply-chain"))
    assert category.audience == "suppliers" and category.team.name == "Logistics"
    duplicate = runner.invoke(
        args=["categories", "create", "supply-chain", "--name", "Again", "--audience", "public"]
    )
    assert duplicate.exit_code == 1
    bad_slug = runner.invoke(
        args=["categories", "create", "Not A Slug!", "--name", "X y", "--audience", "public"]
    )
    assert bad_slug.exit_code == 1


def test_seed_demo_fills_an_empty_portal_once(runner, client):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "customer@example.com" in result.output and "demo-password" in result.output
    ideas = db.session.scalar(select(func.count(Idea.id)))
    assert ideas >= 40
    statuses = set(db.session.scalars(select(Idea.status).distinct()))
    assert statuses == {"open", "under_review", "planned", "in_progress", "done", "declined",
                        "duplicate"}  # fmt: skip
    kinds = set(db.session.scalars(select(Idea.kind).distinct()))
    assert kinds == {"idea", "improvement", "problem", "praise", "question"}
    audiences = set(db.session.scalars(select(Category.audience).distinct()))
    assert audiences == {"public", "customers", "suppliers"}
    assert db.session.scalar(select(func.count()).where(Idea.confidential.is_(True))) >= 4
    assert db.session.scalar(select(func.count()).where(Comment.official.is_(True))) >= 5
    assert db.session.scalar(select(func.count()).where(Comment.parent_id.is_not(None))) >= 10
    # Improvement items in every status, their ideas following them (SPEC section 6).
    item_statuses = set(db.session.scalars(select(ImprovementItem.status).distinct()))
    assert item_statuses == {"planned", "in_progress", "shipped", "dropped"}
    for idea in db.session.scalars(select(Idea).where(Idea.item_id.is_not(None))):
        item = db.session.get(ImprovementItem, idea.item_id)
        assert idea.status == IDEA_STATUS_FOR[item.status], (idea.title, item.title)
    # Kept counters equal recounts.
    for idea in db.session.scalars(select(Idea)):
        votes = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id))
        assert idea.votes_count == votes

    # The demo moderator is a customer (community moderation) with work waiting: open flags
    # on a comment and on a user, and one appeal.
    moderator = db.session.scalar(select(User).where(User.email == "moderator@example.com"))
    assert (moderator.kind, moderator.role) == ("customer", "moderator")
    waiting = review_queue(moderator).items
    assert {g.target_type for g in waiting} == {"comment", "user"}
    assert sum(1 for g in waiting if g.appeal) == 1 and sum(len(g.flags) for g in waiting) >= 3
    assert not any(g.target.hidden for g in waiting if g.flags and g.target_type == "comment")

    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code == 0 and "changes nothing" in again.output
    assert db.session.scalar(select(func.count(Idea.id))) == ideas

    # The demo sign-in works.
    response = client.post(
        "/login", data={"email": "customer@example.com", "password": "demo-password"}
    )
    assert response.status_code == 302
