import { CfnCondition, CfnParameter, Fn } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * The topic every alarm notifies: KMS-encrypted (AWS-managed SNS key), TLS only. The `AlarmEmail`
 * stack parameter subscribes an address; empty (the default) subscribes nobody — a CfnCondition,
 * so one template serves both.
 */
export const alarmTopic = (scope: Construct): sns.Topic => {
  const email = new CfnParameter(scope, 'AlarmEmail', {
    type: 'String',
    default: '',
    description: 'Email address notified by the alarms (empty: no subscription)',
  });
  // The logical id is the parameter name people pass: `--parameters AlarmEmail=ops@example.com`.
  email.overrideLogicalId('AlarmEmail');
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: 'job-orchestrator alarms',
    masterKey: kms.Alias.fromAliasName(scope, 'SnsKey', 'alias/aws/sns'),
    enforceSSL: true,
  });
  const hasEmail = new CfnCondition(scope, 'HasAlarmEmail', {
    expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')),
  });
  const subscription = new sns.CfnSubscription(scope, 'AlarmEmailSubscription', {
    topicArn: topic.topicArn,
    protocol: 'email',
    endpoint: email.valueAsString,
  });
  subscription.cfnOptions.condition = hasEmail;
  return topic;
};
