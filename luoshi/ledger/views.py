from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def home(request):
    return redirect("task-list")


@login_required
def _todo(request, pk=None):
    return render(request, "base.html")


console = leader_home = workbench = task_list = task_detail = notice_list = instruction_list = _todo
document_list = document_upload = document_detail = _todo
