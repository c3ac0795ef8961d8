"""The governance report (治理报告) of a compound for a period, in the structure of the case report: background
(背景), measures (措施), outcomes (成效) and the virtuous cycle (良性循环).

- content.py: ``report_content`` builds everything the page and the PDF show (``ReportContent``) — the figures
  from the KPI engine's rollups (``kpis_from_rollups``), the lists behind the measures, the chart specs, the
  honours and each section's paragraph (generated or edited). The page and the PDF draw the same object, so
  they show the same figures.
- narrative.py: the generated paragraphs (from the figures, in the case report's tone).
- services.py: ``report_narrative_set`` / ``report_narrative_reset`` (staff's edits, audited).
- pdf.py: the PDF (fpdf2 on gongzhi.core.pdf): sections, KPI tables, bar and line charts drawn with fpdf2's
  primitives, after-photos' thumbnails.
"""
