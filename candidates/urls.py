from django.urls import path

from candidates import network_views, views
from candidates.merging import views as merging

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("new/", views.candidate_create, name="create"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/edit/", views.candidate_edit, name="edit"),
    path("<int:pk>/network/", network_views.network_page, name="network"),
    *(
        url
        for kind, plural in (
            ("influencer", "influencers"),
            ("referral", "referrals"),
            ("basis", "bases"),
            ("membership", "memberships"),
        )
        for url in (
            path(f"<int:pk>/{plural}/new/", views.person_record_add, {"kind": kind}, name=f"{kind}_add"),
            path(
                f"<int:pk>/{plural}/<int:record_pk>/edit/",
                views.person_record_edit,
                {"kind": kind},
                name=f"{kind}_edit",
            ),
        )
    ),
    path("<int:pk>/merge/", merging.merge_propose, name="merge_propose"),
    path("merges/", merging.merges, name="merges"),
    path("merges/<int:pk>/approve/", merging.merge_approve, name="merge_approve"),
    path("merges/<int:pk>/refuse/", merging.merge_refuse, name="merge_refuse"),
    path("merges/<int:pk>/undo/", merging.merge_undo, name="merge_undo"),
    path("duplicates/", merging.duplicate_pairs, name="duplicates"),
    path("duplicates/<int:pk>/dismiss/", merging.duplicate_pair_dismiss, name="duplicate_dismiss"),
    path("intelligence/", views.intelligence, name="intelligence"),
    path("groups/new/", views.group_form, name="group_create"),
    path("groups/<int:group_pk>/edit/", views.group_form, name="group_edit"),
    path("shootings/new/", views.shooting_form, name="shooting_create"),
    path("shootings/<int:shooting_pk>/edit/", views.shooting_form, name="shooting_edit"),
    path("gvis-meetings/new/", views.gvis_meeting_form, name="gvis_meeting_create"),
    path("gvis-meetings/<int:meeting_pk>/edit/", views.gvis_meeting_form, name="gvis_meeting_edit"),
]
