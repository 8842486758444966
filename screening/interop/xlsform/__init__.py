"""interop/xlsform"""
