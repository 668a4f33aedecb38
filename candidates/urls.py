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
    path("<int:pk>/bases/new/", views.basis_add, name="basis_add"),
    path("<int:pk>/memberships/new/", views.membership_add, name="membership_add"),
    path("intelligence/", views.intelligence, name="intelligence"),
    path("groups/new/", views.group_create, name="group_create"),
    path("shootings/new/", views.shooting_create, name="shooting_create"),
    path("gvis-meetings/new/", views.gvis_meeting_create, name="gvis_meeting_create"),
]
