from django.contrib import admin

from readership.models import ReadCount


@admin.register(ReadCount)
class ReadCountAdmin(admin.ModelAdmin):
    """Reads by article and hour, for editors (read only: counted by readers' pages)."""

    list_display = ["article", "hour", "reads"]
    list_select_related = ["article"]
    date_hierarchy = "hour"
    search_fields = ["article__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
