from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("new/", views.candidate_create, name="create"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/edit/", views.candidate_edit, name="edit"),
    path("<int:pk>/influencers/new/", views.influencer_add, name="influencer_add"),
    path("<int:pk>/influencers/<int:influencer_pk>/edit/", views.influencer_edit, name="influencer_edit"),
    path("<int:pk>/referrals/new/", views.referral_add, name="referral_add"),
    path("<int:pk>/referrals/<int:referral_pk>/edit/", views.referral_edit, name="referral_edit"),
    path("<int:pk>/bases/new/", views.basis_add, name="basis_add"),
    path("<int:pk>/bases/<int:basis_pk>/edit/", views.basis_edit, name="basis_edit"),
    path("<int:pk>/memberships/new/", views.membership_add, name="membership_add"),
    path("<int:pk>/memberships/<int:membership_pk>/edit/", views.membership_edit, name="membership_edit"),
    path("intelligence/", views.intelligence, name="intelligence"),
    path("groups/new/", views.group_form, name="group_create"),
    path("groups/<int:group_pk>/edit/", views.group_form, name="group_edit"),
    path("shootings/new/", views.shooting_form, name="shooting_create"),
    path("shootings/<int:shooting_pk>/edit/", views.shooting_form, name="shooting_edit"),
    path("gvis-meetings/new/", views.gvis_meeting_form, name="gvis_meeting_create"),
    path("gvis-meetings/<int:meeting_pk>/edit/", views.gvis_meeting_form, name="gvis_meeting_edit"),
]
