from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def media_with_nonce(context, media):
    """Render form media with the request's CSP nonce on its tags, so an inline import map
    (the rich-text editor's) runs under a policy without 'unsafe-inline'."""
    if hasattr(media, "render_importmap"):  # django-js-asset's Media
        return media.render(attrs={"nonce": str(context["request"].csp_nonce)})
    return media.render()
