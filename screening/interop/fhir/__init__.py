"""interop/fhir"""
