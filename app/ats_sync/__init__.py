"""The ATS sync: one adapter per ATS behind one interface (:mod:`app.ats_sync.adapter`), and
:func:`app.ats_sync.apply.apply`, which applies one stored delivery to the domains."""
