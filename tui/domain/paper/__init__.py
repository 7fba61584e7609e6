"""Paper forms: distribution plans, issued batches, the page layout and the PDFs.
"""

from __future__ import annotations

from .distribution import (
    MAX_FORMS_PER_CELL,
    BatchFiles,
    BatchFilesError,
    BatchResult,
    DistributionPlan,
    PlanError,
    ReprintResult,
    batches_of,
    issue_batch,
    paper_name,
    parse_plan_csv,
    plan_csv_text,
    plan_from_codes,
    read_plan_csv,
    reprint_form,
    rewrite_batches,
    serial_ranges,
    shown_time,
)
from .forms_layout import (
    MARGIN,
    REGULAR,
    FormLayout,
    FormLayoutError,
    Rule,
    Text,
    paragraphs,
    plan_form,
    stage_label_mentions,
    unprintable_characters,
    wrap,
)
from .forms_pdf import (
    SPECIMEN_SERIAL,
    FormCopy,
    FormsError,
    IssueLogRow,
    forms_folder,
    issue_log_name,
    output_file,
    reprint_name,
    school_forms_name,
    specimen_name,
    write_forms,
    write_issue_log_csv,
    write_issue_log_pdf,
    write_sample_form,
    write_school_forms,
)

__all__ = ["BatchFiles", "BatchFilesError", "BatchResult", "DistributionPlan", "FormCopy", "FormLayout", "FormLayoutError", "FormsError", "IssueLogRow", "MARGIN", "MAX_FORMS_PER_CELL", "PlanError", "REGULAR", "ReprintResult", "Rule", "SPECIMEN_SERIAL", "Text", "batches_of", "forms_folder", "issue_batch", "issue_log_name", "output_file", "paper_name", "paragraphs", "parse_plan_csv", "plan_csv_text", "plan_form", "plan_from_codes", "read_plan_csv", "reprint_form", "reprint_name", "rewrite_batches", "school_forms_name", "serial_ranges", "shown_time", "specimen_name", "stage_label_mentions", "unprintable_characters", "wrap", "write_forms", "write_issue_log_csv", "write_issue_log_pdf", "write_sample_form", "write_school_forms"]
