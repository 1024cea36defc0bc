"""Reports: the run's ``report.html`` (:mod:`ftprep.report.html`), its plots
(:mod:`ftprep.report.svg`) and the pre-training checklist (:mod:`ftprep.report.checklist`)."""
