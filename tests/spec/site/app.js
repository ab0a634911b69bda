console.log('spec');
