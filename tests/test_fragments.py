"""Fragments rendered once and reused (portal/fragments.py): an idea card's title line and
the vote widget. Their keys must name everything they show, the per-request holes (CSRF
token, the page to return to) must be each request's own, and language and time zone keep
their own copies."""

import re
from datetime import datetime
from pathlib import Path

import pytest

from portal.extensions import db
from portal.fragments import card_key, comment_key, vote_key
from portal.ideas import discussion
from portal.ideas import service as ideas
from tests.conftest import PASSWORD

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class Recorder:
    """Stands for an idea (or a user) and notes every attribute path read from it."""

    def __init__(self, seen: set, path: str = "idea"):
        self._seen, self._path = seen, path

    def __getattr__(self, name):
        path = f"{self._path}.{name}"
        self._seen.add(path)
        return Recorder(self._seen, path)

    def __bool__(self):
        return True


def _cached_block(template: str) -> str:
    source = (TEMPLATES / template).read_text()
    found = re.search(r"{%-? cached .*?%}(.*?){%-? endcached", source, re.S)
    assert found, f"{template} has no cached block"
    return found.group(1)


def _read_in(block: str) -> set[str]:
    """idea.x and idea.x.y read by a block (macro calls on them included)."""
    return {m.group(0) for m in re.finditer(r"\bidea(?:\.[a-z_]+){1,2}\b", block)}


def test_an_idea_cards_key_names_everything_its_cached_part_shows():
    seen: set[str] = set()
    card_key(Recorder(seen))
    missing = _read_in(_cached_block("ideas/_idea_card.html")) - seen
    assert not missing, f"add {sorted(missing)} to fragments.card_key"


def test_the_vote_widgets_key_names_everything_its_cached_part_shows():
    seen: set[str] = set()
    vote_key(Recorder(set(), "viewer"), Recorder(seen), True, None, "GET")
    missing = _read_in(_cached_block("ideas/_vote_button.html")) - seen
    assert not missing, f"add {sorted(missing)} to fragments.vote_key"


def test_a_comments_key_names_everything_its_cached_part_shows():
    seen: set[str] = set()
    comment_key(Recorder(seen, "comment"))
    block = _cached_block("ideas/_comment.html")
    shown = {m.group(0) for m in re.finditer(r"\bcomment(?:\.[a-z_]+){1,2}\b", block)}
    # What author_name shows of the user it is given (the comment's author).
    macros = (TEMPLATES / "_macros/ideas.html").read_text()
    author_name = macros[
        macros.index("macro author_name") : macros.index(
            "endmacro", macros.index("macro author_name")
        )
    ]
    shown |= {
        "comment.author." + m.group(1) for m in re.finditer(r"\buser\.([a-z_]+)", author_name)
    }
    shown.discard("comment.author")  # handed to the macro: its parts are checked above
    missing = shown - seen
    assert not missing, f"add {sorted(missing)} to fragments.comment_key"


@pytest.fixture
def listed(app, make):
    category = make.category("public")
    author = make.user(name="Ann Author")
    idea = make.idea(author=author, category=category, title="Kettle that whistles")
    db.session.commit()
    return idea


def _card(page: str, idea) -> str:
    start = page.index(f'id="vote-{idea.id}"')
    return page[start : page.index("</article>", start)]


def test_a_change_to_anything_a_card_shows_shows_at_once(client, make, login, listed):
    reader = make.user()
    login(reader)
    before = _card(client.get("/ideas").get_data(as_text=True), listed)
    assert "Kettle that whistles" in before and "0 comments" in before
    staff = make.user("staff", role="admin")
    ideas.edit_idea(listed.author, listed, title="Kettle that sings")
    discussion.add_comment(reader, listed, "Mine whistles too.")
    ideas.change_status(staff, listed, "planned")
    listed.author.display_name = "Ann Renamed"
    listed.category.name = "Kitchen things"
    db.session.commit()
    after = _card(client.get("/ideas").get_data(as_text=True), listed)
    for shown in ("Kettle that sings", "1 comment", "Planned", "Ann Renamed", "Kitchen things"):
        assert shown in after, shown
    assert "Kettle that whistles" not in after


def test_each_vote_form_carries_the_requests_own_token_and_page(app, make, listed):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        pages = []
        for n in range(2):
            client = app.test_client()
            reader = make.user()
            login_page = client.get("/login").get_data(as_text=True)
            token = re.search(r'csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
            client.post("/login", data={"email": reader.email, "password": PASSWORD,
                                        "csrf_token": token})  # fmt: skip
            path = "/ideas?sort=new" if n else "/ideas"
            page = client.get(path).get_data(as_text=True)
            assert "\x00" not in page
            card = _card(page, listed)
            shown = path if "?" in path else path + "?"  # request.full_path
            assert f'name="next" value="{shown.replace("&", "&amp;")}"' in card
            tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
            assert len(tokens) == 1, "one token per page, the session's own"
            # The token works: voting with it is accepted.
            voted = client.post(f"/ideas/{listed.id}/vote",
                                data={"csrf_token": tokens.pop(), "next": path})  # fmt: skip
            assert voted.status_code == 302, voted.get_data(as_text=True)[:300]
            pages.append(card)
        assert pages[0] != pages[1]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_card_follows_the_readers_language_and_time_zone(client, make, login, listed):
    listed.created_at = datetime(2026, 3, 1, 23, 30)
    db.session.commit()
    reader = make.user()
    login(reader)
    english = _card(client.get("/ideas").get_data(as_text=True), listed)
    reader.language, reader.timezone = "de", "Asia/Tokyo"
    db.session.commit()
    german = _card(client.get("/ideas").get_data(as_text=True), listed)
    assert "1 vote" not in german and ("Kommentar" in german) and ("comment" not in german)
    assert "02.03.2026 08:30" in german and "23:30" in english and "08:30" not in english


def test_the_cache_can_be_turned_off(app, client, make, login, listed):
    app.config["FRAGMENT_CACHE_SECONDS"] = 0
    try:
        login(make.user())
        page = client.get("/ideas").get_data(as_text=True)
        assert "Kettle that whistles" in page and "\x00" not in page
        assert 'name="next" value="/ideas?"' in page
    finally:
        app.config["FRAGMENT_CACHE_SECONDS"] = 600


# -- imports in templates included once per comment or card ----------------------------------


def _environment(counter):
    from jinja2 import DictLoader, Environment

    from portal.templating import PortalTemplate

    class Counted(PortalTemplate):
        def make_module(self, *args, **kwargs):
            counter.append(self.name)
            return super().make_module(*args, **kwargs)

    environment = Environment(loader=DictLoader({
        "macros.html": "{% macro hello(x) %}{{ greeting|default('hello') }} {{ x }}{% endmacro %}",
        "item.html": '{% from "macros.html" import hello %}{{ hello(n) }};',
        "page.html": '{% for n in range(50) %}{% include "item.html" %}{% endfor %}',
    }))  # fmt: skip
    environment.template_class = Counted
    return environment


def test_a_template_included_many_times_still_shares_one_macro_module():
    built = []
    page = _environment(built).get_template("page.html").render()
    assert page.count("hello") == 50 and page.startswith("hello 0;")
    assert built.count("macros.html") == 1


def test_an_importer_with_globals_of_its_own_still_lends_them_to_the_macros():
    # Jinja's rule (pallets/jinja#1241): new globals make a module of their own.
    built = []
    environment = _environment(built)
    page = environment.get_template("item.html", globals={"greeting": "hi"}).render(n=1)
    assert page == "hi 1;" and built.count("macros.html") == 1


def test_each_comments_flag_box_names_its_comment_in_the_readers_language(client, make, login,
                                                                          listed):  # fmt: skip
    first = discussion.add_comment(make.user(), listed, "First remark.")
    second = discussion.add_comment(make.user(), listed, "Second remark.")
    db.session.commit()
    reader = make.user()
    login(reader)
    english = client.get(f"/ideas/{listed.id}").get_data(as_text=True)
    reader.language = "de"
    db.session.commit()
    german = client.get(f"/ideas/{listed.id}").get_data(as_text=True)
    for page, words in ((english, "Send to the moderators"), (german, "An die Moderation")):
        for comment in (first, second):
            box = page[page.index(f'id="flag-comment-{comment.id}"') :]
            box = box[: box.index("</details>")]
            assert f'name="target_id" value="{comment.id}"' in box
            assert words in box and "\x00" not in box
            assert f'name="next" value="/ideas/{listed.id}?"' in box


def test_each_threads_reply_form_answers_its_own_comment(client, make, login, listed):
    """The reply form is rendered once for every thread of an idea, each thread's id put in."""
    first = discussion.add_comment(make.user(), listed, "First remark.")
    second = discussion.add_comment(make.user(), listed, "Second remark.")
    db.session.commit()
    login(make.user())
    page = client.get(f"/ideas/{listed.id}").get_data(as_text=True)
    for comment in (first, second):
        thread = page[page.index(f'id="thread-{comment.id}"') :]
        thread = thread[: thread.index("</details>", thread.index('class="reply-box"'))]
        assert f'name="parent_id" value="{comment.id}"' in thread
        assert f'id="reply-{comment.id}"' in thread and f'for="reply-{comment.id}"' in thread
    assert "\x01" not in page


def test_the_comment_and_reply_forms_rendered_once_name_each_ideas_own_id(client, make, login):
    """One rendering of the empty comment form and of the reply box serves every idea: each
    page's forms post to its own idea, answer its own threads, and carry no mark left over."""
    ideas_shown = [make.idea(title=f"Lamp number {n}") for n in range(2)]
    threads = [discussion.add_comment(make.user(), idea, "A remark.") for idea in ideas_shown]
    db.session.commit()
    login(make.user())
    for _ in range(2):  # the second round is served from what the first one kept
        for idea, thread in zip(ideas_shown, threads, strict=True):
            page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
            start = page.index('class="comment-form"')
            form = page[page.rindex("<form", 0, start) : page.index("</form>", start)]
            assert form.count(f'"/ideas/{idea.id}/comments"') == 2
            assert f'id="comment-form-{idea.id}"' in form
            assert f"/ideas/{idea.id}/mentionable" in form
            reply = page[page.index(f'id="thread-{thread.id}"') :]
            reply = reply[: reply.index("</details>", reply.index('class="reply-box"'))]
            assert reply.count(f'"/ideas/{idea.id}/comments"') == 2
            assert f'name="parent_id" value="{thread.id}"' in reply
            assert "8999999999999999" not in page and "\x01" not in page


# -- a whole idea list shared by its readers, each with their own votes -------------------------


def _signed_in_client(app, user):
    reader = app.test_client()
    reader.post("/login", data={"email": user.email, "password": PASSWORD})
    return reader


def _vote_widget(page: str, idea) -> str:
    start = page.index(f'id="vote-{idea.id}"')
    return page[start : page.index("</div>", start)]


def test_readers_of_one_shared_list_each_see_their_own_votes(app, make, listed):
    other = make.idea(category=listed.category, title="Toaster with a timer")
    supporter, stranger = make.user(), make.user()
    db.session.commit()
    ideas.set_vote(supporter, listed, True)
    db.session.commit()
    pages = {}
    for name, user in (("stranger", stranger), ("supporter", supporter), ("again", stranger)):
        page = _signed_in_client(app, user).get("/ideas").get_data(as_text=True)
        assert not re.search("[\x00\x02\x03]", page), "a mark left in the page"
        pages[name] = page
    supported = _vote_widget(pages["supporter"], listed)
    assert 'aria-pressed="true"' in supported and "Withdraw your vote" in supported
    assert 'aria-pressed="false"' in _vote_widget(pages["supporter"], other)
    for name in ("stranger", "again"):
        assert 'aria-pressed="false"' in _vote_widget(pages[name], listed)
        # The supporter's vote is counted for everyone: the same count in every copy.
        assert '<span class="vote-count">2</span>' in _vote_widget(pages[name], listed)

    def shown(page):  # the list, without the session's own token
        listed_part = page[page.index('<div id="idea-list">') :]
        return re.sub(r'name="csrf_token" value="[^"]+"', "", listed_part)

    assert shown(pages["stranger"]) == shown(pages["again"])


def test_a_shared_list_never_keeps_one_readers_token(app, make, listed):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        tokens = []
        for _ in range(2):
            reader = app.test_client()
            login_page = reader.get("/login").get_data(as_text=True)
            token = re.search(r'csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
            user = make.user()
            reader.post("/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": token})  # fmt: skip
            page = reader.get("/ideas").get_data(as_text=True)
            found = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
            assert len(found) == 1
            tokens.append(found.pop())
        assert tokens[0] != tokens[1], "the second reader was served the first one's token"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_suspended_reader_is_told_why_in_a_list_others_may_vote_in(app, make, listed):
    from datetime import timedelta

    from portal.timeutil import utcnow

    suspended, member = make.user(), make.user()
    suspended.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    closed = _vote_widget(_signed_in_client(app, suspended).get("/ideas").get_data(as_text=True),
                          listed)  # fmt: skip
    assert "suspended" in closed and "<form" not in closed
    open_ = _vote_widget(_signed_in_client(app, member).get("/ideas").get_data(as_text=True),
                         listed)  # fmt: skip
    assert "<form" in open_ and "suspended" not in open_


def test_a_vote_shows_in_the_list_at_once(app, make, listed):
    reader = make.user()
    db.session.commit()
    client = _signed_in_client(app, reader)
    assert '<span class="vote-count">1</span>' in _vote_widget(
        client.get("/ideas").get_data(as_text=True), listed
    )
    assert client.post(f"/ideas/{listed.id}/vote", data={"next": "/ideas"}).status_code == 302
    widget = _vote_widget(client.get("/ideas").get_data(as_text=True), listed)
    assert '<span class="vote-count">2</span>' in widget and 'aria-pressed="true"' in widget


def test_a_pick_outside_a_shared_block_is_decided_at_once(app):
    from portal.fragments import pick

    with app.test_request_context("/"):
        assert pick("voted", 3, True, "yes", "no") == "yes"
        assert pick("voted", 3, False, "yes", "no") == "no"


def test_a_change_to_anything_a_comment_shows_shows_at_once(client, make, login, listed):
    author = make.user(name="Cora Commenter")
    comment = discussion.add_comment(author, listed, "The lid rattles.")
    db.session.commit()
    login(make.user())

    def shown() -> str:
        page = client.get(f"/ideas/{listed.id}").get_data(as_text=True)
        start = page.index(f'id="comment-{comment.id}"')
        return page[start : page.index("</article>", start)]

    assert "Cora Commenter" in shown() and "The lid rattles." in shown()
    discussion.edit_comment(author, comment, "The lid rattles loudly.")
    author.display_name = "Cora Renamed"
    db.session.commit()
    after = shown()
    assert "The lid rattles loudly." in after and "Cora Renamed" in after and "edited" in after


def test_the_shared_comment_form_is_a_customers_and_staff_get_their_own(app, make, listed):
    staff = make.user("staff", role="admin")
    customer = make.user()
    db.session.commit()

    def form_of(user) -> str:
        page = _signed_in_client(app, user).get(f"/ideas/{listed.id}").get_data(as_text=True)
        start = page.index(f'action="/ideas/{listed.id}/comments" class="comment-form"')
        return page[start : page.index("</form>", start)]

    for first, second in ((customer, staff), (staff, customer)):
        forms = {user.id: form_of(user) for user in (first, second, first)}
        assert 'name="official"' in forms[staff.id]
        assert 'name="official"' not in forms[customer.id]
        assert not re.search("[\x00\x02\x03]", "".join(forms.values()))


def test_the_shared_list_filter_shows_a_renamed_category_at_once(client, make, login, listed):
    login(make.user())
    assert ">" + listed.category.name + "</option>" in client.get("/ideas").get_data(as_text=True)
    listed.category.name = "Kettles and pots"
    db.session.commit()
    assert ">Kettles and pots</option>" in client.get("/ideas").get_data(as_text=True)


def test_the_fragment_memory_is_bounded_by_size_as_well_as_count():
    from portal.lru import ExpiringLRU

    store = ExpiringLRU(max_entries=100, max_size=1000)
    for n in range(10):
        store.put(n, 60, "x" * 300, 300)
    assert store.size <= 1000 and store.get(9) == "x" * 300 and store.get(0) is None
    store.put(9, 60, "y", 1)  # replacing an entry gives its size back
    assert store.size == 2 * 300 + 1
    store.clear()
    assert store.size == 0


# -- a list found again at the same change cursor (portal/ideas/views.py) ---------------------


def _list_part(page: str) -> str:
    return page[page.index('<div id="idea-list">') :]


def test_a_list_found_again_shows_every_change_to_what_it_shows(app, make, listed):
    """The list is found again while the change cursor stands still: every write to what it
    shows must move the cursor, whether the ORM tracks it or not."""
    from sqlalchemy import text

    from portal.accounts import service as accounts
    from portal.admin import service as admin
    from portal.moderation import service as moderation

    reader = _signed_in_client(app, make.user())
    admin_user = make.user(kind="staff", role="admin")
    moderator = make.user(kind="staff", role="moderator")

    def shown() -> str:
        first = _list_part(reader.get("/ideas").get_data(as_text=True))
        again = _list_part(reader.get("/ideas").get_data(as_text=True))  # found, not rendered
        drop_tokens = re.compile(r'name="csrf_token" value="[^"]+"')
        assert drop_tokens.sub("", first) == drop_tokens.sub("", again)
        return first

    assert "Ann Author" in shown()
    accounts.update_profile(listed.author, "Ann Renamed", "instant")
    db.session.commit()
    assert "Ann Renamed" in shown()

    category = listed.category
    admin.update_category(admin_user, category, name="Kitchen things", audience="public",
                          team_id=None, description="")  # fmt: skip
    db.session.commit()
    assert "Kitchen things" in shown()

    ideas.set_vote(make.user(), listed, True)
    db.session.commit()
    assert '<span class="vote-count">2</span>' in _vote_widget(shown(), listed)

    # A statement the ORM does not track (as a counter's or a bulk update's).
    db.session.execute(text("UPDATE idea SET title = 'Kettle, retitled' WHERE id = :id"),
                       {"id": listed.id})  # fmt: skip
    db.session.commit()
    assert "Kettle, retitled" in shown()

    newer = make.idea(category=category, title="Fridge that hums a tune")
    assert "Fridge that hums a tune" in shown()

    moderation.act(moderator, "hide", "idea", newer.id, "Off topic")
    db.session.commit()
    assert "Fridge that hums a tune" not in shown()


def test_a_list_found_again_is_only_for_readers_of_the_same_class(app, make):
    """Found again per class of reader (what decides what they may see): a supplier's
    confidential idea never reaches a customer asking at the same cursor, a hidden idea
    never reaches anyone but moderators."""
    from portal.moderation import service as moderation

    category = make.category("public")
    supplier = make.user(kind="supplier")
    make.idea(author=supplier, category=category, title="Our private pallet plan",
              confidential=True)  # fmt: skip
    hidden = make.idea(category=category, title="Rude words about kettles")
    moderator = make.user(kind="staff", role="moderator")
    moderation.act(moderator, "hide", "idea", hidden.id, "Abusive")
    db.session.commit()
    readers = {
        "supplier": (supplier, True, False),
        "moderator": (moderator, True, True),
        "customer": (make.user(), False, False),
        "colleague of another company": (make.user(kind="supplier"), False, False),
    }
    for name, (user, sees_confidential, sees_hidden) in readers.items():
        page = _signed_in_client(app, user).get("/ideas").get_data(as_text=True)
        assert ("Our private pallet plan" in page) is sees_confidential, name
        assert ("Rude words about kettles" in page) is sees_hidden, name
    page = app.test_client().get("/ideas").get_data(as_text=True)
    assert "Our private pallet plan" not in page and "Rude words" not in page


# -- an idea's page found again for the readers of a class (portal/ideas/views.py) -----------


def _without_tokens(page: str) -> str:
    page = re.sub(r'(name="csrf_token"[^>]*value=|name="csrf-token" content=)"[^"]+"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


def test_pages_found_again_are_what_each_reader_would_be_shown(app, make, database_url):
    """Served to many readers from one rendering, an idea's page and the idea list must be,
    for each of them, the page rendered for them alone: their vote and following, their own
    comments' links, their hidden comment, staff panels, a suspension's refusal, a
    confidential idea of their company."""
    from datetime import timedelta

    from portal.moderation import service as moderation
    from portal.timeutil import utcnow
    from tests.conftest import make_test_app

    category = make.category("public")
    author = make.user(name="Ann Author")
    idea = make.idea(author=author, category=category, title="Kettle that whistles")
    staff, moderator = make.user(kind="staff"), make.user(kind="staff", role="moderator")
    supporter, reader, commenter, hidden_writer = (make.user() for _ in range(4))
    suspended, supplier = make.user(), make.user(kind="supplier")
    first = discussion.add_comment(commenter, idea, "I would buy it twice.")
    discussion.add_comment(author, idea, "Thank you!", parent_id=first.id)
    discussion.add_comment(staff, idea, "We are looking at it.", official=True)
    rude = discussion.add_comment(hidden_writer, idea, "Kettles are for fools.")
    db.session.commit()
    moderation.act(moderator, "hide", "comment", rude.id, "Abusive")
    ideas.set_vote(supporter, idea, True)
    ideas.set_following(supporter, idea, True)
    suspended.suspended_until = utcnow() + timedelta(days=3)
    make.idea(author=supplier, category=category, title="Our pallet plan", confidential=True)
    db.session.commit()

    fresh_app = make_test_app(database_url, FRAGMENT_CACHE_SECONDS=0)
    readers = [supporter, reader, None, supplier, commenter, hidden_writer, author, suspended,
               staff, moderator]  # fmt: skip
    rounds = [(url, user) for url in (f"/ideas/{idea.id}", "/ideas") for user in readers]
    for url, user in rounds + rounds:  # the second round finds every page again
        pages = []
        for one_app in (app, fresh_app):
            client = _signed_in_client(one_app, user) if user else one_app.test_client()
            response = client.get(url)
            assert response.status_code == 200
            pages.append(_without_tokens(response.get_data(as_text=True)))
        shared, alone = pages
        name = user.display_name if user else "a visitor"
        assert shared == alone, f"{name} was shown someone else's {url}"
        assert not re.search("[\x00\x02\x03]", shared), "a mark left in the page"


def test_an_idea_page_found_again_shows_every_change_to_what_it_shows(app, make):
    from sqlalchemy import text

    from portal.accounts import service as accounts
    from portal.moderation import service as moderation
    from portal.tracking import service as tracking

    category = make.category("public")
    author = make.user(name="Ann Author")
    idea = make.idea(author=author, category=category, title="Kettle that whistles")
    staff, moderator = make.user(kind="staff"), make.user(kind="staff", role="moderator")
    commenter = make.user(name="Carl Commenter")
    discussion.add_comment(commenter, idea, "I would buy it twice.")
    db.session.commit()
    reader = _signed_in_client(app, make.user())
    reader.get("/ideas")  # the welcome

    def shown() -> str:
        first = _without_tokens(reader.get(f"/ideas/{idea.id}").get_data(as_text=True))
        again = _without_tokens(reader.get(f"/ideas/{idea.id}").get_data(as_text=True))
        assert first == again
        return first

    assert "Carl Commenter" in shown()
    accounts.update_profile(commenter, "Carla Renamed", "instant")
    db.session.commit()
    assert "Carla Renamed" in shown()

    item = tracking.promote(staff, [idea.id], title="Whistling kettles")
    db.session.commit()
    assert "Whistling kettles" in shown()
    db.session.execute(text("UPDATE improvement_item SET title = 'Singing kettles' WHERE id = :id"),
                       {"id": item.id})  # fmt: skip
    db.session.commit()
    assert "Singing kettles" in shown()

    duplicate = make.idea(category=category, title="A kettle that sings")
    moderation.act(moderator, "merge", "idea", duplicate.id, "Same idea", into_id=idea.id)
    db.session.commit()
    assert "A kettle that sings" in shown()

    discussion.add_comment(staff, idea, "Shipping in spring.", official=True)
    db.session.commit()
    assert "Shipping in spring." in shown()
