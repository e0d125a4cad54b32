"""The search page: query box, facets, snippets, pagination."""

from flask import Blueprint, request
from flask_login import current_user

from portal import page_cache
from portal.ideas.service import postable_categories
from portal.pagination import parse_page_args
from portal.responses import render_page_or_fragment
from portal.search import service
from portal.search.querying import FILTER_FIELDS

bp = Blueprint("search", __name__)


@bp.route("/search")
@page_cache.for_visitors
def search():
    args = request.args
    page, per_page = parse_page_args(args.get("page"), args.get("per_page"))
    filters = {name: args.get(name) for name in FILTER_FIELDS if args.get(name)}
    result = service.search(
        current_user,
        args.get("q", ""),
        filters=filters,
        order=args.get("order") or "relevance",
        page=page,
        per_page=per_page,
    )
    categories = {c.slug: c.name for c in postable_categories(current_user)}
    return render_page_or_fragment(
        "search/search.html",
        "search/_results.html",
        result=result,
        q=args.get("q", ""),
        order=args.get("order") or "relevance",
        category_names=categories,
    )
