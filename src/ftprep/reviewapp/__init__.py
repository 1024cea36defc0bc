"""The review and annotation web app (``ftprep review serve``): a team rates, decides, flags,
notes and edits; reviewers adjudicate disagreements; admins export the accepted records."""
