"""Event entry point: fired by rule CrmBulkJobInitiator on every Put into segment CrmFiles."""

from crm_import.initiator import handle


def handler(event, context):
    handle(event, context)
