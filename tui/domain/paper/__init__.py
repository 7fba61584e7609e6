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
    checked_returns,
    issue_batch,
    missing_returns_warning,
    paper_name,
    parse_plan_csv,
    plan_csv_text,
    plan_from_codes,
    read_plan_csv,
    reprint_form,
    rewrite_batches,
    serial_ranges,
    set_wave_returns,
    shown_time,
    wave_returns,
)
from .forms_layout import (
    MARGIN,
    MARKING_LINES,
    REGULAR,
    Box,
    FormLayout,
    FormLayoutError,
    ReturnDetails,
    Rule,
    Text,
    code_boxes,
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
    issue_log_count,
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

__all__ = ["BatchFiles", "BatchFilesError", "BatchResult", "Box", "DistributionPlan", "FormCopy", "FormLayout", "FormLayoutError", "FormsError", "IssueLogRow", "MARGIN", "MARKING_LINES", "MAX_FORMS_PER_CELL", "PlanError", "REGULAR", "ReprintResult", "ReturnDetails", "Rule", "SPECIMEN_SERIAL", "Text", "batches_of", "checked_returns", "code_boxes", "forms_folder", "issue_batch", "issue_log_count", "issue_log_name", "missing_returns_warning", "output_file", "paper_name", "paragraphs", "parse_plan_csv", "plan_csv_text", "plan_form", "plan_from_codes", "read_plan_csv", "reprint_form", "reprint_name", "rewrite_batches", "school_forms_name", "serial_ranges", "set_wave_returns", "shown_time", "specimen_name", "stage_label_mentions", "unprintable_characters", "wave_returns", "wrap", "write_forms", "write_issue_log_csv", "write_issue_log_pdf", "write_sample_form", "write_school_forms"]
