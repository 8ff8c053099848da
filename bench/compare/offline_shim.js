'use strict';
// Local Serverless plugin used by the side-by-side benchmark (bench/compare/).
// serverless-plugin-split-stacks asks CloudFormation for the deployed stack so it can keep
// resources where they already are. Offline there is no stack: answer "does not exist",
// exactly what a first deployment sees. List this plugin AFTER the split-stacks plugin.
class CfnsplitOfflineShim {
  constructor(serverless) {
    this.hooks = {
      'before:package:finalize': () => {
        for (const plugin of serverless.pluginManager.plugins) {
          if (plugin.constructor && plugin.constructor.name === 'ServerlessPluginSplitStacks') {
            plugin.getStackSummary = (stackName) =>
              Promise.reject(new Error(`Stack with id ${stackName} does not exist`));
          }
        }
      },
    };
  }
}
module.exports = CfnsplitOfflineShim;
