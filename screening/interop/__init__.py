"""Interoperability edges: HL7 FHIR R4 (Questionnaire, QuestionnaireResponse), XLSForm
import, CSV export. They read the frozen model and never change the core."""
