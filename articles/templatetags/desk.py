from django import template

from articles.desk import desk_for

register = template.Library()


@register.simple_tag
def desk_of(user):
    """The admin home's sections for this user (articles.desk)."""
    return desk_for(user)
